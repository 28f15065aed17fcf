/** Names an admin may give a user, and that a provider's username claim must be to become one. */
export const usernameRule = '1-128 letters, digits, dot, dash, underscore or @, starting with a letter or digit';

export const isUsername = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(name);
