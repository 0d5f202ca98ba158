-- Refuse what only the parser can see and that is outside the documented Quarto subset.
-- (The Python reader already refused what it can place by line: shortcodes, divs, images,
-- references.) The [[...]] part of an error is a snippet the renderer uses to find the line.

local ALLOWED_DIVS = {
  ["callout-note"] = true, ["callout-important"] = true,
  ["columns"] = true, ["column"] = true,
  ["bm-float"] = true, ["bm-caption"] = true, ["bm-alt"] = true,   -- written by the renderer
}

local function refuse(what, snippet)
  error("bm-render: " .. what .. " is outside the supported Quarto subset [[" .. snippet .. "]]", 0)
end

return {
  {
    Math = function(el)
      refuse("maths (real Quarto loads MathJax from a CDN)", el.text)
    end,
    RawInline = function(el)
      refuse("raw " .. el.format .. " markup", el.text)
    end,
    RawBlock = function(el)
      -- ```{=html} is the subset's one raw format: kept in the web page, left out of the PDF
      -- (as Quarto does with raw HTML in a Typst document)
      if el.format == "html" then
        if FORMAT:match("html") then return nil end
        return {}
      end
      refuse("a raw " .. el.format .. " block", el.text)
    end,
    Span = function(el)
      if el.identifier ~= "" or #el.classes > 0 or next(el.attributes) then
        refuse("a span with attributes", pandoc.utils.stringify(el))
      end
    end,
    Div = function(el)
      if #el.classes ~= 1 or not ALLOWED_DIVS[el.classes[1]] then
        refuse("a div with classes {" .. table.concat(el.classes, " ") .. "}",
               pandoc.utils.stringify(el))
      end
    end,
  },
}
