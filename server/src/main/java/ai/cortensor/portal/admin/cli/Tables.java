package ai.cortensor.portal.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Renders admin API answers for people: aligned tables and {@code label: value} blocks. */
final class Tables {
    private Tables() {}

    /** A column: its header and the dotted path of the value in each row ({@code paused.reason}). */
    record Column(String header, String path) {}

    static Column col(String header, String path) {
        return new Column(header, path);
    }

    static void table(PrintStream out, JsonNode rows, Column... columns) {
        List<String[]> lines = new ArrayList<>();
        String[] head = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            head[i] = columns[i].header();
        }
        lines.add(head);
        for (JsonNode row : rows) {
            String[] line = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                line[i] = text(at(row, columns[i].path()));
            }
            lines.add(line);
        }
        int[] width = new int[columns.length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        for (String[] l : lines) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                b.append(i == l.length - 1 ? l[i] : String.format("%-" + width[i] + "s  ", l[i]));
            }
            out.println(b.toString().stripTrailing());
        }
        if (rows.isEmpty()) {
            out.println("(none)");
        }
    }

    static void fields(PrintStream out, JsonNode node, Column... columns) {
        int width = 0;
        for (Column c : columns) {
            width = Math.max(width, c.header().length());
        }
        for (Column c : columns) {
            JsonNode v = at(node, c.path());
            if (!v.isMissingNode() && !v.isNull()) {
                out.println(String.format("%-" + (width + 1) + "s %s", c.header() + ":", text(v)));
            }
        }
    }

    static JsonNode at(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    static String text(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return "-";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(text(x)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (v.isDouble() || v.isFloat()) {
            return String.format("%.3f", v.asDouble());
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
