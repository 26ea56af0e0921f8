// Copies what tsc does not: node icons, codex (.node.json) files and workflow templates.
const { src, dest, parallel } = require('gulp');

function copyNodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

function copyTemplates() {
	return src(['workflows/**/*.json'], { base: '.' }).pipe(dest('dist'));
}

exports.build = parallel(copyNodeAssets, copyTemplates);
exports.default = exports.build;
