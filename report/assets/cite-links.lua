-- cite-links.lua (runs after --citeproc on every HTML page except the references page):
-- citation links (#ref-<id>) point at the references page given as metadata `aic-refs-page`,
-- and the bibliography citeproc appends to the page (a Div #refs) is dropped: it lives there.
local refs_page = nil

function Meta(meta)
  if meta["aic-refs-page"] then refs_page = pandoc.utils.stringify(meta["aic-refs-page"]) end
end

local function link(el)
  if refs_page and el.target:match("^#ref%-") then
    el.target = refs_page .. el.target
    return el
  end
  return nil
end

local function drop_refs(div)
  if refs_page and div.identifier == "refs" then return {} end
  return nil
end

return {
  { Meta = Meta },
  { Link = link, Div = drop_refs },
}
