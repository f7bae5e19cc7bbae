// Entry of the page bundle; the page's modules live with the library under src/web.
import '../src/web/page/main.js';
