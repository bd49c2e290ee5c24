package io.llavascale.activities.report;

/**
 * One rendered chart of a report.
 *
 * @param file  path inside the report folder (plots/&lt;name&gt;.svg)
 * @param title caption in the page
 * @param svg   the SVG document
 */
public record Plot(String file, String title, String svg) {}
