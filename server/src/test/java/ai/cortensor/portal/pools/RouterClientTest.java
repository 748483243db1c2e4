package ai.cortensor.portal.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.config.PortalConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router client against a scripted HTTP/1.1 server on a real socket: framing, keep-alive, failures. */
class RouterClientTest {
    private static final byte[] BODY = "{\"prompt\":\"hi\"}".getBytes(StandardCharsets.UTF_8);

    /** How the scripted server answers one request on one connection; returns false to close the connection. */
    @FunctionalInterface
    interface Answer {
        boolean answer(int connection, int request, String head, OutputStream out) throws IOException;
    }

    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final RouterClient client = new RouterClient(new PortalConfig.Router(Duration.ofSeconds(2),
            Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(2), 3, Duration.ofSeconds(10), 3));

    @AfterEach
    void stop() throws IOException {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    private RouterTarget serve(Answer answer) throws IOException {
        serveOn(new ServerSocket(0), answer);
        return new RouterTarget(1, "a", "default", "cortensor-v3", "http://127.0.0.1:" + server.getLocalPort(), 7L,
                "router-secret", 1, 0);
    }

    /** Accepts connections on {@code socket}, each answered by {@code answer} on its own thread. */
    private void serveOn(ServerSocket socket, Answer answer) {
        server = socket;
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int n = connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> handle(s, n, answer));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void handle(Socket s, int connection, Answer answer) {
        try (s) {
            InputStream in = s.getInputStream();
            for (int request = 1; ; request++) {
                String head = readHead(in);
                if (head == null) {
                    closedByClient.incrementAndGet();
                    return;
                }
                heads.add(head);
                int length = Integer.parseInt(header(head, "content-length"));
                bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                if (!answer.answer(connection, request, head, s.getOutputStream())) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) != -1) {
            head.write(c);
            matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String read(RouterClient.Call call) throws IOException {
        return new String(call.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static final Answer OK = (conn, req, head, out) -> {
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        return true;
    };

    @Test
    void sends_the_prepared_head_with_the_router_key_and_exact_body_and_reuses_the_connection() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"r\":" + req + "}");
            return true;
        });
        for (int i = 1; i <= 3; i++) {
            try (RouterClient.Call call = client.post(target, BODY, false)) {
                assertThat(call.status()).isEqualTo(200);
                assertThat(call.contentType()).isEqualTo("application/json");
                assertThat(call.contentLength()).isEqualTo(7);
                assertThat(read(call)).isEqualTo("{\"r\":" + i + "}");
            }
        }
        assertThat(connections).hasValue(1);
        assertThat(heads.get(0)).startsWith("POST /api/v3/completions/7 HTTP/1.1\r\n")
                .contains("\r\nAuthorization: Bearer router-secret\r\n")
                .contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n")
                .contains("\r\nAccept: application/json\r\n")
                .contains("\r\nContent-Length: " + BODY.length + "\r\n");
        assertThat(bodies).containsOnly(new String(BODY, StandardCharsets.UTF_8));
    }

    @Test
    void a_chunked_body_with_extensions_and_trailers_is_decoded_and_the_connection_reused() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
                    + "6;ext=1\r\ndata: \r\n" + "10\r\n{\"a\":\"0123456\"}\n\r\n" + "0\r\nX-Trailer: t\r\n\r\n");
            return true;
        });
        for (int i = 0; i < 2; i++) {
            try (RouterClient.Call call = client.post(target, BODY, true)) {
                assertThat(call.contentLength()).isEqualTo(-1);
                assertThat(read(call)).isEqualTo("data: {\"a\":\"0123456\"}\n");
            }
        }
        assertThat(connections).hasValue(1);
        assertThat(heads.get(0)).contains("\r\nAccept: text/event-stream\r\n");
    }

    @Test
    void connection_close_from_the_router_is_not_reused() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            return false;
        });
        for (int i = 0; i < 2; i++) {
            try (RouterClient.Call call = client.post(target, BODY, false)) {
                assertThat(read(call)).isEqualTo("ok");
            }
        }
        assertThat(connections).hasValue(2);
    }

    @Test
    void a_body_without_length_runs_until_the_router_closes() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\n\r\nall of it");
            return false;
        });
        try (RouterClient.Call call = client.post(target, BODY, false)) {
            assertThat(read(call)).isEqualTo("all of it");
        }
    }

    @Test
    void a_pooled_connection_the_router_closed_while_idle_is_replaced_and_the_request_sent_once_more()
            throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return false; // closes after each response without saying so
        });
        for (int i = 0; i < 3; i++) {
            try (RouterClient.Call call = client.post(target, BODY, false)) {
                assertThat(read(call)).isEqualTo("ok");
            }
        }
        assertThat(connections.get()).isGreaterThanOrEqualTo(3);
        assertThat(bodies).hasSize(3);
    }

    @Test
    void closing_a_call_before_its_body_ends_closes_the_connection_so_the_router_stops() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
            return true; // then waits for the next request, or for the client to close
        });
        try (RouterClient.Call call = client.post(target, BODY, true)) {
            byte[] five = call.body().readNBytes(5);
            assertThat(new String(five, StandardCharsets.UTF_8)).isEqualTo("first");
        }
        Awaitility.await().atMost(2, TimeUnit.SECONDS).until(() -> closedByClient.get() == 1);
    }

    @Test
    void a_router_that_does_not_answer_in_time_is_a_timeout_failure() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        assertThatThrownBy(() -> client.post(target, BODY, false)).isInstanceOfSatisfying(
                RouterClient.RouterFailure.class, f -> assertThat(f.timeout()).isTrue());
    }

    @Test
    void a_router_that_trickles_a_whole_answer_forever_is_cut_at_the_request_deadline() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            try {
                for (int i = 0; i < 100; i++) { // 10 s of one byte every 100 ms: each read is quick, the whole is not
                    write(out, "1\r\nx\r\n");
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        long t0 = System.nanoTime();
        try (RouterClient.Call call = client.post(target, BODY, false)) {
            assertThatThrownBy(() -> call.body().readAllBytes()).isInstanceOf(java.net.SocketTimeoutException.class);
        }
        // the client's request timeout is 500 ms; the byte read last may wait up to one trickle interval more
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(400L, 2_000L);
    }

    @Test
    void an_oversized_response_head_or_a_garbage_status_line_is_a_failure_not_a_hang() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            if (conn == 1) {
                write(out, "HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(RouterConnection.MAX_HEAD) + "\r\n\r\n");
            } else {
                write(out, "garbage that is not HTTP\r\n\r\n");
            }
            return false;
        });
        assertThatThrownBy(() -> client.post(target, BODY, false)).isInstanceOf(RouterClient.RouterFailure.class);
        assertThatThrownBy(() -> client.post(target, BODY, false)).isInstanceOf(RouterClient.RouterFailure.class);
    }

    @Test
    void nothing_listening_is_an_unreachable_failure_and_a_failed_probe() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RouterTarget target = new RouterTarget(1, "a", "default", "cortensor-v1", "http://127.0.0.1:" + port, 7L,
                null, 1, 0);
        assertThatThrownBy(() -> client.post(target, BODY, false)).isInstanceOfSatisfying(
                RouterClient.RouterFailure.class, f -> assertThat(f.timeout()).isFalse());
        assertThat(client.probe(target, Duration.ofMillis(300))).isEqualTo("unreachable");
    }

    @Test
    void a_probe_is_a_get_of_the_ping_path_and_any_2xx_is_healthy() throws IOException {
        RouterTarget target = serve((conn, req, head, out) -> {
            write(out, req == 1 ? "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong"
                    : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            return true;
        });
        assertThat(client.probe(target, Duration.ofSeconds(1))).isNull();
        assertThat(client.probe(target, Duration.ofSeconds(1))).isEqualTo("status 503");
        assertThat(heads.get(0)).startsWith("GET /api/v1/ping HTTP/1.1\r\n");
        assertThat(connections).hasValue(1);
    }

    @Test
    void a_router_key_that_could_split_the_header_is_refused_before_sending() throws IOException {
        RouterTarget good = serve(OK);
        RouterTarget bad = new RouterTarget(2, "b", "default", "cortensor-v3", good.baseUrl(), 7L,
                "key\r\nX-Injected: 1", 1, 0);
        assertThatThrownBy(() -> client.post(bad, BODY, false)).isInstanceOf(RouterClient.RouterFailure.class);
        assertThat(heads).isEmpty();
    }

    @Test
    void https_targets_are_reached_over_tls_with_host_name_verification(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path store = dir.resolve("router.p12");
        Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", "router", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("router", ks.getCertificate("router"));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        serveOn(serverTls.getServerSocketFactory().createServerSocket(0), (conn, req, head, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure");
            return true;
        });
        RouterClient tls = new RouterClient(new PortalConfig.Router(Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 3, Duration.ofSeconds(10), 3), clientTls.getSocketFactory());
        try {
            RouterTarget byName = new RouterTarget(1, "a", "default", "cortensor-v3",
                    "https://localhost:" + server.getLocalPort(), 7L, "router-secret", 1, 0);
            for (int i = 0; i < 2; i++) {
                try (RouterClient.Call call = tls.post(byName, BODY, false)) {
                    assertThat(read(call)).isEqualTo("secure");
                }
            }
            assertThat(connections).hasValue(1);
            assertThat(heads.get(0)).contains("\r\nAuthorization: Bearer router-secret\r\n");
            // the certificate names localhost, not 127.0.0.1: the client must refuse it
            RouterTarget byAddress = new RouterTarget(2, "b", "default", "cortensor-v3",
                    "https://127.0.0.1:" + server.getLocalPort(), 7L, "router-secret", 1, 0);
            assertThatThrownBy(() -> tls.post(byAddress, BODY, false)).isInstanceOf(RouterClient.RouterFailure.class);
        } finally {
            tls.close();
        }
    }
}
