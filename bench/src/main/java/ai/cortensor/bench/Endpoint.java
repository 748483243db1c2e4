package ai.cortensor.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Where requests go and the exact bytes of the one request sent there, built once (no per-request allocation). */
record Endpoint(String url, InetSocketAddress address, byte[] request) {

    static Endpoint post(String url, String bearer, String body, boolean stream) {
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs: " + url);
        }
        int port = u.getPort() > 0 ? u.getPort() : 80;
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        if (u.getRawQuery() != null) {
            path += "?" + u.getRawQuery();
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(u.getHost()).append(':').append(port).append("\r\n")
                .append("User-Agent: portal-bench\r\n")
                .append("Accept: ").append(stream ? "text/event-stream" : "application/json").append("\r\n")
                .append("Content-Type: application/json\r\n");
        if (bearer != null && !bearer.isEmpty()) {
            h.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        h.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] req = new byte[head.length + b.length];
        System.arraycopy(head, 0, req, 0, head.length);
        System.arraycopy(b, 0, req, head.length, b.length);
        return new Endpoint(url, new InetSocketAddress(u.getHost(), port), req);
    }
}
