/** The sign-in pages' one style sheet: system colours follow the browser's light or dark scheme. */
export const pageStyle = `:root {
  color-scheme: light dark;
  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  --line: color-mix(in srgb, CanvasText 25%, Canvas);
  --link: LinkText;
  --alert: #b42318;
}
@media (prefers-color-scheme: dark) {
  :root { --alert: #ff8a80; }
}
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 22rem; margin: 12vh auto 2rem; padding: 2rem; border: 1px solid var(--line); border-radius: 8px; }
h1 { margin: 0 0 1rem; font-size: 1.5rem; }
a { color: var(--link); }
form { display: grid; gap: 0.35rem; margin-top: 1rem; }
label { margin-top: 0.5rem; font-weight: 600; }
input, button { font: inherit; padding: 0.5rem 0.6rem; border-radius: 6px; }
input { border: 1px solid var(--line); background: Field; color: FieldText; }
button { margin-top: 1rem; border: 1px solid ButtonBorder; background: ButtonFace; color: ButtonText; cursor: pointer; }
:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
[role='alert'] { color: var(--alert); font-weight: 600; }
.notice { color: color-mix(in srgb, CanvasText 70%, Canvas); }
`;
