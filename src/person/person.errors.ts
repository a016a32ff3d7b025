export enum PersonErrorReason {
  PERSON_NOT_FOUND = 'PERSON_NOT_FOUND',
  SEARCH_TOO_LONG = 'SEARCH_TOO_LONG',
}
