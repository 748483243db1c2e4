package ai.cortensor.routersim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Test-side HTTP helpers: java.net.http for ordinary calls, raw sockets to see exact wire bytes. */
final class SimClient {

    static final String KEY = "default-dev-token";
    static final ObjectMapper JSON = new ObjectMapper();

    private final RouterSim sim;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    SimClient(RouterSim sim) {
        this.sim = sim;
    }

    HttpResponse<String> get(String path) {
        return send(request(path, KEY).GET().build());
    }

    HttpResponse<String> post(String path, String body) {
        return post(path, body, KEY);
    }

    HttpResponse<String> post(String path, String body, String key) {
        return send(request(path, key).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> put(String path, String body) {
        return send(request(path, null).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<InputStream> postStreaming(String path, String body) throws IOException, InterruptedException {
        return http.send(request(path, KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a socket and sends one authorized POST; the caller reads the raw response. */
    Socket rawPost(String path, String body) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", sim.port()), 2000);
        s.setSoTimeout(10_000);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return s;
    }

    /** Everything the server sends until it closes the connection (EOF or reset both end the read). */
    static Wire readToClose(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        InputStream in = s.getInputStream();
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
            return new Wire(all.toString(StandardCharsets.UTF_8), false);
        } catch (java.net.SocketException reset) {
            return new Wire(all.toString(StandardCharsets.UTF_8), true);
        }
    }

    /** Raw bytes of a response read to connection close, and whether the close was a reset. */
    record Wire(String text, boolean reset) {
        /** Payloads of the {@code data: } lines, in order. */
        List<String> dataLines() {
            List<String> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("data: ")) {
                    out.add(line.substring(6));
                }
            }
            return out;
        }
    }

    /** Parses an SSE body into the payloads of its {@code data:} events, in order. */
    static List<String> dataEvents(String body) {
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    out.add(line.substring(6));
                }
            }
        }
        return out;
    }
}
