"""Common code for every frontdesk service: contracts, settings, logging, bus and database plumbing."""
