-- Number figures and tables and resolve @fig-/@tbl- references, for HTML and Typst.
--
-- The renderer wraps each labelled figure/table in a .bm-float div holding the caption
-- (.bm-caption) and, for figures, the alt text (.bm-alt). HTML gets "Abbildung 1: …"
-- captions and links; Typst gets #figure(...) <label> and @label, which Typst numbers
-- itself ("Abbildung 1", "Tabelle 1" with lang de). Pandoc's Typst writer drops alt text,
-- so figures are written as raw Typst with image(alt: …).

local NAMES = { fig = "Abbildung", tbl = "Tabelle" }
local numbers = {}
local counts = { fig = 0, tbl = 0 }
local typst = FORMAT:match("typst") ~= nil

local function fail(what, snippet)
  error("bm-render: " .. what .. " [[" .. snippet .. "]]", 0)
end

local function typst_string(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

local function typst_markup(inlines)
  local out = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
  return (out:gsub("%s+$", ""))
end

-- Split a .bm-float div into its caption inlines, alt text and remaining blocks.
local function parts(div)
  local caption, alt, rest = nil, nil, pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes[1] == "bm-caption" then
      caption = pandoc.utils.blocks_to_inlines(block.content)
    elseif block.t == "Div" and block.classes[1] == "bm-alt" then
      alt = pandoc.utils.stringify(block.content)
    else
      rest:insert(block)
    end
  end
  return caption, alt, rest
end

local function only(blocks, tag, label)
  local found = {}
  blocks:walk({ [tag] = function(el) table.insert(found, el) end })
  if #found ~= 1 then
    fail(label .. " must contain exactly one " .. tag:lower() .. ", found " .. #found, label)
  end
  return found[1]
end

local function number(div)
  local label = div.identifier
  local kind = label:match("^(%a+)%-")
  if not NAMES[kind] then fail("float label must start with fig- or tbl-", label) end
  counts[kind] = counts[kind] + 1
  numbers[label] = { kind = kind, n = counts[kind] }
  local caption, alt, rest = parts(div)
  local numbered = pandoc.Inlines({ pandoc.Str(NAMES[kind] .. " " .. counts[kind] .. ":"), pandoc.Space() })
  numbered:extend(caption)

  if kind == "fig" then
    local image = only(rest, "Image", label)
    if typst then
      return pandoc.RawBlock("typst", string.format(
        "#figure(image(%s, alt: %s, width: 100%%), caption: [%s]) <%s>",
        typst_string(image.src), typst_string(alt or ""), typst_markup(caption), label))
    end
    image.caption = pandoc.Inlines({ pandoc.Str(alt or "") })
    return pandoc.Figure(pandoc.Plain({ image }), { long = { pandoc.Plain(numbered) } },
                         pandoc.Attr(label))
  end

  local tbl = only(rest, "Table", label)
  tbl.caption = { long = { pandoc.Plain(typst and caption or numbered) } }
  tbl.identifier = label
  return tbl
end

local function reference(cite)
  if #cite.citations ~= 1 then
    fail("write one reference at a time", "@" .. cite.citations[1].id)
  end
  local id = cite.citations[1].id
  local target = numbers[id]
  if not target then fail("@" .. id .. " does not name a figure or table on this page", "@" .. id) end
  if typst then return pandoc.RawInline("typst", "@" .. id) end
  return pandoc.Link(NAMES[target.kind] .. " " .. target.n, "#" .. id, "",
                     pandoc.Attr("", { "quarto-xref" }))
end

return {
  { Div = function(div) if div.classes[1] == "bm-float" then return number(div) end end },
  { Cite = reference },
}
