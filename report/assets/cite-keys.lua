-- cite-keys.lua (runs before --citeproc in the offline fallback renderer, aicompute.render):
-- a citation whose key is not in the bibliography stays the literal text it was written as
-- ("@sama", "[@fig-unknown]"), instead of citeproc's "(sama?)" and a warning.
-- Only the body is walked: `nocite: '@*'` in the metadata keeps working.
function Pandoc(doc)
  local known = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do
    known[ref.id] = true
  end
  doc.blocks = doc.blocks:walk({
    Cite = function(cite)
      for _, c in ipairs(cite.citations) do
        if not known[c.id] then return cite.content end
      end
      return nil
    end,
  })
  return doc
end
