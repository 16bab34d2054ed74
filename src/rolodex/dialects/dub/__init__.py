"""The Dub dialect: Dub's customers API (``/dub/customers...``) as its SDKs speak it."""
