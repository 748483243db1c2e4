package ai.cortensor.portal.families;

/**
 * Trims content and reasoning as a whole while they stream: leading whitespace is dropped, trailing whitespace is
 * held back until more text of the same kind follows (and dropped if none does), so the concatenated deltas equal
 * the trimmed text a non-streaming response returns. Empty deltas are never passed on.
 */
public final class TrimmingSink implements OutputSink {
    private final OutputSink next;
    private final Part content = new Part();
    private final Part reasoning = new Part();

    public TrimmingSink(OutputSink next) {
        this.next = next;
    }

    @Override
    public void reasoning(String delta) {
        String out = reasoning.accept(delta);
        if (out != null) {
            next.reasoning(out);
        }
    }

    @Override
    public void content(String delta) {
        String out = content.accept(delta);
        if (out != null) {
            next.content(out);
        }
    }

    @Override
    public void toolCallStart(int index, String name) {
        next.toolCallStart(index, name);
    }

    @Override
    public void toolCallArguments(int index, String delta) {
        if (!delta.isEmpty()) {
            next.toolCallArguments(index, delta);
        }
    }

    private static final class Part {
        private boolean started;
        private final StringBuilder pending = new StringBuilder();

        /** What may be emitted now for {@code delta}, or null. */
        String accept(String delta) {
            int end = delta.length();
            while (end > 0 && Character.isWhitespace(delta.charAt(end - 1))) {
                end--;
            }
            int start = 0;
            if (!started) {
                while (start < end && Character.isWhitespace(delta.charAt(start))) {
                    start++;
                }
            }
            if (start == end) { // only whitespace
                if (started) {
                    pending.append(delta);
                }
                return null;
            }
            started = true;
            String out;
            if (pending.isEmpty()) {
                out = delta.substring(start, end);
            } else {
                out = pending.append(delta, start, end).toString();
                pending.setLength(0);
            }
            pending.append(delta, end, delta.length());
            return out;
        }
    }
}
