"""Postfix from the outside: main.cf parsing and bounded ``postconf`` / ``postqueue`` runs."""
