-- Headless Neovim as an mllint lsp client (works on Neovim 0.7, which has no vim.lsp.start).
-- Reads MLLINT_ROOT, MLLINT_FILE, MLLINT_OUT and MLLINT_PYTHON from the environment; writes one
-- line per event to MLLINT_OUT: the diagnostics after opening, then after fixing the buffer.
local root = os.getenv("MLLINT_ROOT")
local file = os.getenv("MLLINT_FILE")
local out = os.getenv("MLLINT_OUT")
local python = os.getenv("MLLINT_PYTHON")
local report = {}

local function code_of(d)
  if d.code then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code or "?"
end

local function dump(label, bufnr)
  local items = vim.diagnostic.get(bufnr)
  table.insert(report, label .. " " .. #items)
  for _, d in ipairs(items) do
    -- Neovim 0.8+ keeps the tags in `_tags`, 0.7 the LSP diagnostic in `user_data.lsp`
    local lsp = d.user_data and d.user_data.lsp or {}
    local tagged = vim.tbl_contains(lsp.tags or {}, vim.lsp.protocol.DiagnosticTag.Unnecessary)
    local faded = ((d._tags and d._tags.unnecessary) or tagged) and " unnecessary" or ""
    table.insert(
      report,
      string.format("%s %d:%d-%d:%d %s %s%s", label, d.lnum, d.col, d.end_lnum or -1, d.end_col or -1,
        code_of(d), d.source or "", faded)
    )
  end
end

local client_id = vim.lsp.start_client({
  name = "mllint",
  cmd = { python, "-m", "mllint", "lsp", "--no-cache", "--debounce-ms=50" },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = "project" } },
})
vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)

local opened = vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 20)
dump(opened and "opened" or "timeout-opened", bufnr)

-- an incremental edit that removes the dead branch: the diagnostics must go away
vim.api.nvim_buf_set_lines(bufnr, 2, 6, false, { "loss = 2" })
local cleared = vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) == 0
end, 20)
dump(cleared and "fixed" or "timeout-fixed", bufnr)

vim.fn.writefile(report, out)
vim.lsp.stop_client(client_id)
vim.cmd("qa!")
