"""The Autumn dialect: Autumn's customer API, RPC and legacy REST paths, for the official SDKs."""
