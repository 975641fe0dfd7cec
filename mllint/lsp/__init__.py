"""The language server behind ``mllint lsp`` (needs the ``lsp`` extra: pygls, lsprotocol)."""
