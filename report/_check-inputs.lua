-- Quarto pre-render check (project: pre-render in _quarto.yml). The book's chapters are notebooks the
-- build executes and stages here (report/NN_name.ipynb, git-ignored), with the summary it writes
-- (_summary.md) and the bibliography. When one is missing, `quarto render report` by hand stops with
-- one clear line instead of a stack of Quarto errors.
local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() end
  return f ~= nil
end
local f = assert(io.open("_quarto.yml", "r"))
local meta = pandoc.read("---\n" .. f:read("a") .. "\n---\n", "markdown").meta
f:close()
local missing = {}
local function need(name)
  if not exists(name) then table.insert(missing, name) end
end
for _, key in ipairs({ "chapters", "appendices" }) do
  for _, entry in ipairs(meta.book[key] or {}) do
    if pandoc.utils.type(entry) == "Inlines" then need(pandoc.utils.stringify(entry)) end
  end
end
for _, page in ipairs({ "index.qmd" }) do
  local qmd = io.open(page, "r")
  if qmd then
    for name in qmd:read("a"):gmatch("{{<%s*include%s+([^%s>]+)%s*>}}") do need(name) end
    qmd:close()
  end
end
need(pandoc.utils.stringify(meta.bibliography or "references.bib"))
if #missing > 0 then
  io.stderr:write("report/ lacks " .. table.concat(missing, ", ") .. ": these are build products. Run `make report`"
    .. " (or `python -m aicompute build`) from the repository root: it executes the notebooks, stages them in"
    .. " report/ and renders. After that, `quarto render report` also works by hand.\n")
  os.exit(1)
end
