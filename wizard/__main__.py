"""Allow ``python -m wizard``."""

from wizard.cli import console_main

console_main()
