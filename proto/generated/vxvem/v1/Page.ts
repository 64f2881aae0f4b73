// Original file: proto/vxvem.proto


/**
 * A page of a list: at most `limit` items (0: as many as fit a reply) from `cursor` (the `next`
 * of the previous page; empty: the first page). The pages of one list are one revision's; the
 * reply's `next` is empty on the last page. (An Empty request reads as a first Page.)
 */
export interface Page {
  'limit'?: (number);
  'cursor'?: (string);
}

/**
 * A page of a list: at most `limit` items (0: as many as fit a reply) from `cursor` (the `next`
 * of the previous page; empty: the first page). The pages of one list are one revision's; the
 * reply's `next` is empty on the last page. (An Empty request reads as a first Page.)
 */
export interface Page__Output {
  'limit': (number);
  'cursor': (string);
}
