-- Links inside the site: `page.qmd` becomes `page.html` (as Quarto does). Links to outside
-- sites are refused: the published site works offline and names sources in words.

return {
  {
    Link = function(el)
      if el.target:match("^%a[%w+.-]*:") then
        error("bm-render: a link to " .. el.target
              .. " (the site works offline: no outside links) [[" .. el.target .. "]]", 0)
      end
      local path, anchor = el.target:match("^([^#]*%.qmd)(#?.*)$")
      if path then
        el.target = path:gsub("%.qmd$", ".html") .. anchor
        return el
      end
    end,
  },
}
