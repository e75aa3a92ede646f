-- quarto-compat.lua: the few Quarto block constructs the offline fallback renderer honours.
--   ::: {.callout-note} / .callout-tip / -warning / -caution / -important  -> styled box
--       (an optional first heading or a title="..." attribute becomes the callout title)
--   ::: {.content-visible when-format="html"} / {.content-hidden unless-format="pdf"}
--   ::: {#fig-x .figure-caption}  (emitted by aicompute.render under non-image figures)
--   tables (typst only): columns sized by content instead of equal widths
-- Used for both HTML (html5) and typst output.

local callout_colors = {
  note = "#1f5fa8", tip = "#23804a", warning = "#b7791f",
  caution = "#c2410c", important = "#b42335",
}

local function is_html()
  return FORMAT:match("html") ~= nil
end

-- Does a Quarto format name ("html", "pdf", "typst", ...) match the current pandoc writer?
local function format_matches(name)
  if name == nil then return false end
  if name == "html" or name == "html5" then return is_html() end
  if name == "pdf" or name == "typst" then return FORMAT == "typst" end
  return FORMAT == name
end

local function callout_kind(div)
  for _, cls in ipairs(div.classes) do
    local kind = cls:match("^callout%-(%a+)$")
    if kind and callout_colors[kind] then return kind end
  end
  return nil
end

local function callout(div, kind)
  local title = nil
  local content = div.content
  if div.attributes["title"] then
    title = pandoc.Inlines(pandoc.Str(div.attributes["title"]))
    div.attributes["title"] = nil
  elseif #content > 0 and content[1].t == "Header" then
    title = content[1].content
    content = pandoc.Blocks({ table.unpack(content, 2) })
  end
  if is_html() then
    div.classes:insert(1, "callout")
    local blocks = pandoc.Blocks({})
    if title then
      blocks:insert(pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" })))
    end
    blocks:extend(content)
    div.content = blocks
    return div
  end
  if FORMAT == "typst" then
    local color = callout_colors[kind]
    local open = string.format(
      '#block(width: 100%%, inset: 8pt, radius: 2pt, fill: rgb("%s").lighten(90%%), '
      .. 'stroke: (left: 3pt + rgb("%s")), breakable: true)[', color, color)
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", open) })
    if title then blocks:insert(pandoc.Para({ pandoc.Strong(title) })) end
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  return content
end

-- Caption under a non-image figure (tables, text): centred, small, carrying the figure label.
local function figure_caption(div)
  if FORMAT ~= "typst" then return nil end
  local blocks = pandoc.Blocks({ pandoc.RawBlock("typst",
    "#block(width: 100%, above: 0.6em, below: 1.4em)[#set align(center)\n#set text(size: 9pt)") })
  blocks:extend(div.content)
  local close = "]"
  if div.identifier ~= "" then close = "] <" .. div.identifier .. ">" end
  blocks:insert(pandoc.RawBlock("typst", close))
  return blocks
end

function Div(div)
  if div.classes:includes("figure-caption") then return figure_caption(div) end
  if div.classes:includes("content-visible") then
    local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
    if (when and not format_matches(when)) or (unless and format_matches(unless)) then return {} end
    return div.content
  end
  if div.classes:includes("content-hidden") then
    local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
    if when and format_matches(when) then return {} end
    if unless and not format_matches(unless) then return {} end
    if not when and not unless then return {} end
    return div.content
  end
  local kind = callout_kind(div)
  if kind then return callout(div, kind) end
  return nil
end

-- Typst: let typst size table columns from their content (pipe tables otherwise get equal widths,
-- which makes long text columns very tall), and left-align columns without an explicit alignment.
function Table(tbl)
  if FORMAT ~= "typst" then return nil end
  for i, spec in ipairs(tbl.colspecs) do
    local align = spec[1]
    if align == "AlignDefault" then align = "AlignLeft" end -- else cells inherit align(center)
    tbl.colspecs[i] = { align, pandoc.ColWidthDefault }
  end
  return tbl
end
