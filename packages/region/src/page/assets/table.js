// The page's tables: rows whose cells carry their column's name, and text set only when it changes.

/** Sets text only when it changes, so aria-live regions announce changes and not every poll. */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** A row of `table`; each cell carries its column's name, which a narrow window shows beside the value. */
export function row(table, cells, data) {
  const headers = [...table.tHead.rows[0].cells].map((th) => th.textContent);
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(data)) tr.dataset[k] = v;
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.dataset.label = headers[i];
    td.textContent = text;
    tr.append(td);
  });
  return tr;
}
