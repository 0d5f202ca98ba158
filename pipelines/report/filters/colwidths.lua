-- HTML tables without Pandoc's column widths, as real Quarto writes them with
-- `tbl-colwidths: false` (set in _quarto.yml's html format; the subset accepts no other value).
--
-- A pipe table row wider than 72 characters makes Pandoc derive relative widths from the
-- dashes of its separator line and write them as <colgroup> percentages. Those fit the
-- Markdown source, not the values: a "Stand" column of 4 % is narrower than "31.12.2024",
-- and with unbreakable numbers the table overflows the text column (in Quarto's theme at
-- 1280 px its right edge was cut off). Without widths the browser sizes the columns from
-- their content. The PDF computes its own widths (reports/_typst/typst-template.typ).

if not FORMAT:match("html") then
  return {}
end

return {
  {
    Table = function(tbl)
      for index, spec in ipairs(tbl.colspecs) do
        tbl.colspecs[index] = { spec[1], pandoc.ColWidthDefault }
      end
      return tbl
    end,
  },
}
