"""Messages as files: what a provider checks in an RFC 5322 message before accepting it."""
