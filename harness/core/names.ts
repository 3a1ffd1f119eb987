/** Names become parts of file and folder names: keep them to a safe alphabet. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_RULE = "1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
