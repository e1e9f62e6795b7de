"""Reading (and, with ``--apply``, changing) OCI Email Delivery through the official ``oci`` SDK.

:mod:`wizard.ociapi.settings` never imports the SDK (the CLI and ``--help`` use it);
:mod:`wizard.ociapi.client` imports it only when a probe or a fix talks to the API.
"""
