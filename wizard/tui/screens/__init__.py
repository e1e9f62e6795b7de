"""The screens of the app: home (pick a flow), inputs (the flow's form) and walk."""
