// Vite turns CSS imports into <link>s; TypeScript only needs to know they exist.
declare module '*.css';
