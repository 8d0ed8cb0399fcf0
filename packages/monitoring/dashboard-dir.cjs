// Where the built dashboard lives, for the CommonJS build (see package.json "imports").
module.exports = require('node:path').join(__dirname, 'dist', 'dashboard');
