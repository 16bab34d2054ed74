from rolodex.cli import main

main()
