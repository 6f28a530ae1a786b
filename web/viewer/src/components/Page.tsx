import { useEffect, useRef, type ReactNode } from 'react';

let firstPage = true;

/**
 * A screen: its heading names it and the document's title follows. After an in-app navigation the
 * heading takes the focus, so keyboard and screen-reader users start reading the new screen at its
 * top (as after a page load) instead of on the link they left.
 */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · CinemaAbyss`;
  }, [title]);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, []);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}
