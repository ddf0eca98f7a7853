import { useState } from 'react';

/**
 * Cursor paging for a list: the API answers `next_cursor`; going back needs the cursors seen before, kept
 * here. Changing the filters starts over at the first page.
 */
export function useCursorPages(filtersKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({ key: filtersKey, stack: [undefined] });
  const stack = state.key === filtersKey ? state.stack : [undefined];
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: (nextCursor: string) => setState({ key: filtersKey, stack: [...stack, nextCursor] }),
    previous: () => setState({ key: filtersKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}
