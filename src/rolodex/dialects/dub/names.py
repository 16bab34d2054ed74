"""Generated customer names: an adjective, a colour and an animal, each capitalised.

Dub shows such a name for a customer with neither a name nor an email. The words are drawn from
the randomness the caller passes in, so tests can seed it.
"""

from __future__ import annotations

import random

ADJECTIVES = (
    "Able", "Agile", "Bold", "Brave", "Bright", "Calm", "Clever", "Cosy", "Daring", "Eager",
    "Fair", "Fancy", "Gentle", "Glad", "Grand", "Happy", "Honest", "Jolly", "Keen", "Kind",
    "Lively", "Lucky", "Merry", "Mighty", "Nimble", "Noble", "Polite", "Proud", "Quick",
    "Quiet", "Rapid", "Shy", "Smart", "Steady", "Swift", "Tidy", "Vivid", "Warm", "Wise", "Witty",
)  # fmt: skip

COLOURS = (
    "Amber", "Aqua", "Azure", "Beige", "Black", "Blue", "Bronze", "Brown", "Coral", "Crimson",
    "Cyan", "Gold", "Green", "Grey", "Indigo", "Ivory", "Jade", "Lavender", "Lime", "Magenta",
    "Maroon", "Navy", "Olive", "Orange", "Peach", "Pink", "Plum", "Purple", "Red", "Rose",
    "Ruby", "Salmon", "Silver", "Tan", "Teal", "Turquoise", "Violet", "White", "Yellow",
)  # fmt: skip

ANIMALS = (
    "Alpaca", "Badger", "Beaver", "Bison", "Caribou", "Cheetah", "Crane", "Dolphin", "Eagle",
    "Falcon", "Ferret", "Finch", "Fox", "Gazelle", "Gecko", "Heron", "Ibis", "Jackal", "Koala",
    "Lemur", "Lynx", "Marmot", "Moose", "Narwhal", "Newt", "Ocelot", "Otter", "Owl", "Panda",
    "Pelican", "Puffin", "Quail", "Rabbit", "Raven", "Salmon", "Seal", "Stork", "Tapir",
    "Toucan", "Walrus", "Wombat", "Yak", "Zebra",
)  # fmt: skip


def random_name(rng: random.Random) -> str:
    """``"Swift Teal Otter"``."""
    return " ".join(rng.choice(words) for words in (ADJECTIVES, COLOURS, ANIMALS))
