-- HTML only: put every table and every figure image into a region that scrolls sideways
-- inside the text column and that keyboard users can reach and scroll (tabindex="0",
-- role="region", aria-label: the caption, else "Tabelle"/"Abbildung"; axe rule
-- scrollable-region-focusable). Wide content then scrolls instead of widening the page.
--
-- A figure's SVG also gets the narrowest width at which its smallest text is still 10 px
-- (CSS variable --bm-min-width, used by styles.css): on a phone a chart scrolls sideways
-- instead of shrinking its labels to 3-5 px. Runs after floats.lua (captions are numbered).
-- Real Quarto does not run this filter.

if not FORMAT:match("html") then
  return {}
end

local MIN_TEXT_PX = 10

local function region(blocks, label, kind)
  return pandoc.Div(blocks, pandoc.Attr("", { "bm-scroll", "bm-scroll-" .. kind }, {
    tabindex = "0",
    role = "region",
    ["aria-label"] = label,
  }))
end

local function caption_text(caption, fallback)
  local text = caption and pandoc.utils.stringify(caption) or ""
  text = text:gsub("^%s+", ""):gsub("%s+$", "")
  return text ~= "" and text or fallback
end

-- Smallest font size of an SVG in its own units, and its viewBox width. Matplotlib writes
-- text as glyph paths scaled by size/100 ("scale(0.085 -0.085)" is 8.5), or as <text> with a
-- font-size when svg.fonttype is "none".
local function svg_text_metrics(path)
  local file = io.open(path, "r")
  if not file then return nil end
  local svg = file:read("a")
  file:close()
  local width = tonumber(svg:match('viewBox="%s*[-%d.]+[%s,]+[-%d.]+[%s,]+([%d.]+)'))
  local smallest = nil
  local function seen(size)
    if size and size > 0 and (not smallest or size < smallest) then smallest = size end
  end
  for s, t in svg:gmatch("scale%(([%d.]+)[%s,]+%-([%d.]+)%)") do
    if s == t then seen(tonumber(s) * 100) end
  end
  for size in svg:gmatch("font%-size[:=]%s*\"?([%d.]+)") do seen(tonumber(size)) end
  for size in svg:gmatch("font:[^;\"]-([%d.]+)px") do seen(tonumber(size)) end
  return smallest, width
end

local function min_width(image)
  if not image.src:match("%.svg$") then return nil end
  local smallest, width = svg_text_metrics(image.src)
  if not smallest or not width then return nil end
  return math.ceil(width * MIN_TEXT_PX / smallest)
end

local function figure(fig)
  local label = caption_text(fig.caption.long, "Abbildung")
  fig.content = fig.content:walk({
    Image = function(img)
      local px = min_width(img)
      if px then img.attributes.style = "--bm-min-width: " .. px .. "px" end
      return img
    end,
  })
  fig.content = pandoc.Blocks({ region(fig.content, label, "figure") })
  return fig
end

-- A table without caption is named after the heading above it ("Tabelle zu „Bildung“",
-- numbered if a heading has several), so that no two regions of a page share a name.
local heading, unnamed = nil, {}

local function table_region(tbl)
  local label = caption_text(tbl.caption.long, nil)
  if not label then
    label = heading and ("Tabelle zu „" .. heading .. "“") or "Tabelle"
    unnamed[label] = (unnamed[label] or 0) + 1
    if unnamed[label] > 1 then label = label .. " (" .. unnamed[label] .. ")" end
  end
  return region({ tbl }, label, "table"), false
end

return {
  {
    traverse = "topdown",
    Header = function(h) heading = pandoc.utils.stringify(h.content) end,
    Figure = function(fig) return figure(fig), false end,
    Table = table_region,
  },
}
