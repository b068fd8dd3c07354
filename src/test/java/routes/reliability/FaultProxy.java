package routes.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between Caravan and a server it depends on (Kafka, Redis, a model provider), which
 * injects the network's faults on command: added latency in both directions, a partition that holds every byte
 * back until it heals, and connection resets (RST) of everything open.
 *
 * <p>Each connection has a reader and a writer thread per direction; the writer hands a chunk on once its
 * latency has passed and no partition is in force, so latency delays bytes without throttling them, and bytes
 * are never reordered or dropped except by a reset, as TCP would behave.
 */
final class FaultProxy implements AutoCloseable {

    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private final String name;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final Object partitionLock = new Object();
    private volatile long latencyNanos;
    private volatile boolean partitioned;
    private volatile boolean closed;

    /** Listens on {@code port} (0 for a free one) and forwards to {@code 127.0.0.1:targetPort}. */
    FaultProxy(String name, int port, int targetPort) {
        this.name = name;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the " + name + " proxy", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Adds {@code latency} to every chunk, each direction; zero removes it. */
    FaultProxy latency(Duration latency) {
        latencyNanos = latency.toNanos();
        return this;
    }

    /** Holds every byte back (a partition: connections stay open, nothing arrives) until {@link #heal()}. */
    FaultProxy partition() {
        partitioned = true;
        return this;
    }

    /** Ends a partition: what was held back is delivered, in order. */
    FaultProxy heal() {
        synchronized (partitionLock) {
            partitioned = false;
            partitionLock.notifyAll();
        }
        return this;
    }

    /** Resets every open connection (RST to both sides); new connections are accepted as before. */
    int resetAll() {
        int n = 0;
        for (Socket socket : Set.copyOf(open)) {
            reset(socket);
            n++;
        }
        resets.addAndGet(n);
        return n;
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Connections reset so far by {@link #resetAll()}. */
    int resets() {
        return resets.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            connections.incrementAndGet();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            } catch (IOException e) {
                // the server is down: the client sees its connection reset, as it would without a proxy
                reset(client);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pipe(client, upstream, "up");
            pipe(upstream, client, "down");
        }
    }

    /** Copies {@code from} to {@code to}: a reader queues chunks, a writer delivers each when it is due. */
    private void pipe(Socket from, Socket to, String direction) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Chunk end = new Chunk(new byte[0], 0);
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.add(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + latencyNanos));
                }
            } catch (IOException e) {
                // reset or closed: the writer ends the other side
            }
            queue.add(end);
        }, "fault-proxy-" + name + "-" + direction + "-read");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk == end) {
                        break;
                    }
                    long wait = chunk.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    synchronized (partitionLock) {
                        while (partitioned && !closed) {
                            partitionLock.wait(100);
                        }
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
                // the other side closed cleanly: pass the half-close on
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // the other side is gone
            } finally {
                if (from.isClosed() || to.isClosed()) {
                    open.remove(from);
                    open.remove(to);
                }
            }
        }, "fault-proxy-" + name + "-" + direction + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        resetAll();
    }

    @Override
    public String toString() {
        return name + " proxy :" + port() + " -> :" + targetPort;
    }
}
