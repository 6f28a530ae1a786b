import type { ReactNode } from 'react';

/** A failed read, said as such (the last good data stays on screen). */
export function Failure({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A wide table on a narrow screen scrolls sideways; the region is focusable so keyboards can too. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus for keyboards to scroll it (axe's scrollable-region-focusable)
    <section className="scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** A table with column headings, scrolling sideways when too wide; `children` are its rows. */
export function Table({
  label,
  columns,
  caption,
  className,
  children,
}: {
  label: string;
  columns: string[];
  caption?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Scroll label={label}>
      <table className={className}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </Scroll>
  );
}
