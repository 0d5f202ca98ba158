-- Quarto's plain callouts (.callout-note, .callout-important) for HTML and Typst.
-- A leading heading becomes the title, else Quarto's German default title.

local TITLES = { ["callout-note"] = "Hinweis", ["callout-important"] = "Wichtig" }
local typst = FORMAT:match("typst") ~= nil

local function callout(div)
  local kind = div.classes[1]
  if not TITLES[kind] then return nil end
  local body = div.content
  local title = pandoc.Inlines({ pandoc.Str(TITLES[kind]) })
  if body[1] and body[1].t == "Header" then
    title = body[1].content
    body = pandoc.Blocks({ table.unpack(body, 2) })
  end
  if typst then
    local head = pandoc.write(pandoc.Pandoc({ pandoc.Plain(title) }), "typst"):gsub("%s+$", "")
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("typst", '#bm-callout(kind: "' .. kind:sub(9) .. '", title: [' .. head .. "])["),
    })
    blocks:extend(body)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  return pandoc.Div({
    pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" })),
    pandoc.Div(body, pandoc.Attr("", { "callout-body" })),
  }, pandoc.Attr("", { "callout", kind }, { role = "note" }))
end

return { { Div = callout } }
