/** The directory of the built dashboard (index.html, app.js, app.css). */
declare const dashboardDir: string;
export default dashboardDir;
