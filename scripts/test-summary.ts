// Prints "N passed, N failed, N skipped" from bun's JUnit report: bun's own summary is not one CI reads.
const xml = await Bun.file(process.argv[2]!).text().catch(() => "");
const attr = (name: string) => Number(xml.match(new RegExp(`<testsuites[^>]*\\b${name}="(\\d+)"`))?.[1] ?? 0);
const total = attr("tests");
const failed = attr("failures") + attr("errors");
const skipped = attr("skipped");
console.log(`${total - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
