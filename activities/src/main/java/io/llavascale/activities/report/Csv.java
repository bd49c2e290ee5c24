package io.llavascale.activities.report;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** RFC 4180 CSV of a list of records: the header is the record's component names. */
final class Csv {
  private Csv() {}

  static <R extends Record> String of(Class<R> type, List<R> rows) {
    RecordComponent[] columns = type.getRecordComponents();
    StringBuilder out = new StringBuilder();
    out.append(Arrays.stream(columns).map(RecordComponent::getName).collect(Collectors.joining(","))).append("\r\n");
    for (R row : rows) {
      out.append(Arrays.stream(columns).map(c -> field(value(c, row))).collect(Collectors.joining(","))).append("\r\n");
    }
    return out.toString();
  }

  private static Object value(RecordComponent column, Record row) {
    try {
      return column.getAccessor().invoke(row);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("reading " + column.getName(), e);
    }
  }

  private static String field(Object value) {
    String s = value == null ? "" : value.toString();
    return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
        ? "\"" + s.replace("\"", "\"\"") + "\""
        : s;
  }
}
