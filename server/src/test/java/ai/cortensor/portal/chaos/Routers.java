package ai.cortensor.portal.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Routers the chaos suite can break harder than an in-process simulator allows. */
final class Routers {
    static final String KEY = "chaos-router-secret-5d1e";
    static final long SESSION = 11;

    private Routers() {}

    /** A router simulator in its own JVM ({@code RouterSimMain} from the fat jar), so that it can be SIGKILLed. */
    static final class External implements AutoCloseable {
        private final Process process;
        final String baseUrl;

        private External(Process process, String baseUrl) {
            this.process = process;
            this.baseUrl = baseUrl;
        }

        /** {@code args}: RouterSimMain options for its behaviour, e.g. {@code --tps 20 --tokens 60}. */
        static External start(String name, Path log, String... args) {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", GatewayProcess.JAR.toString(),
                    "ai.cortensor.routersim.RouterSimMain", "--port", "0", "--name", name, "--api-key", KEY,
                    "--sessions", Long.toString(SESSION)));
            cmd.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine(); // "router-sim listening on http://127.0.0.1:<port>", once listening
                if (line == null || !line.startsWith("router-sim listening on ")) {
                    p.destroyForcibly();
                    throw new IllegalStateException("router-sim " + name + " did not start: " + line + "; see " + log);
                }
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep draining
                return new External(p, line.substring("router-sim listening on ".length()).strip());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SIGKILL: its connections are reset by the kernel, nothing is finished. */
        void sigkill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            sigkill();
        }
    }

    /**
     * A hung router: the kernel accepts its connections, and then nothing ever reads or answers — not the
     * completion, not the health probe.
     */
    static final class BlackHole implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());

        BlackHole() {
            try {
                server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().name("black-hole").start(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept()); // held open, never read
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int connections() {
            return held.size();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            synchronized (held) {
                for (Socket s : held) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }
    }
}
