"""The data toolkit every data file uses: bounded reading, YAML with positions, strict
models, diagnostics with FILE:LINE:COL, and flat ``{name}`` templates."""
