"""The gateway: the only service that talks to Twilio (or the local SMS simulator)."""
