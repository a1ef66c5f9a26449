// The JSSE side of tls-harness's `jsse` backend: a long-lived JVM that
// holds SSLContexts and SSLEngines by number and drives them on request.
// Engines have no sockets: the harness hands in the bytes its peer wrote
// and writes out the bytes an engine produced, over its own wire (only the
// bench's bare loops drive engines over sockets of their own).
//
// Protocol (over stdin and stdout, or a connection to the shared JVM;
// big-endian): a request is u32 length, u32 id, u8
// op, payload; an answer is u32 length, u32 id (the request's), u8 status
// (0 ok, 1 error, whose payload is a string), payload. Strings and byte
// strings are u32 length + bytes; lists are u32 count + items. Requests run
// on a pool of one thread per core (a request alone, on the reading thread)
// and are answered as they finish, in any order; a request of id 0 (forget
// an engine or a context) is run on the reading thread and not answered.
// The harness never has two requests on one engine in flight. See
// harness/endpoint/jsse/jvm.rs.
//
// `Engines` alone serves one harness over stdin and stdout and ends with
// it. `Engines --shared DIR IDLE` is the JVM that harness processes share
// (unless TLS_HARNESS_SHARED_JVM=0): it takes DIR/jvm.lock (or leaves, when another
// JVM holds it), listens on 127.0.0.1 and writes its port and a secret to
// DIR/jvm.port, serves each connection that opens with the secret as its
// own session (its contexts and engines are forgotten when it closes), and
// exits after IDLE seconds without one.

import java.io.*;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.*;

public final class Engines {
    static final byte OP_HELLO = 1, OP_CONTEXT = 2, OP_OPEN = 3, OP_FEED = 4, OP_FREE = 5,
            OP_FREE_CONTEXT = 6, OP_BARE = 7, OP_BARE_PEER = 8;

    static final class Config {
        boolean server;
        String[] protocols, suites;
        int clientAuth; // 0 none, 1 request, 2 require
        String serverName;
        boolean serverPreference;
        String[] denied; // the named groups and signature schemes the profile leaves out
        String[] alpn; // empty: no ALPN
        boolean alpnIgnore; // server: go on without ALPN when none is shared
        int minRsa, minDh, minEc; // the smallest peer keys accepted, bits (0: the JDK's rules)
        SSLContext context;
    }

    static final class Engine {
        SSLEngine engine;
        ByteBuffer inNet = ByteBuffer.allocate(0);
        /** Application data handed over before the handshake was done:
         *  wrapped in the turn that finishes it. */
        ByteBuffer app = ByteBuffer.allocate(0);
        /** The plaintext received so far, and how much of it `app` waits
         *  for: a server is handed its answer before the request comes. */
        long plainIn;
        int appAfter;
        /** How much plaintext to read before closing; -1: not yet. */
        int closeAfter = -1;
        boolean done, failed, closedOut, wroteBefore;
        int receivedAlert = -1;
    }

    // TLS_HARNESS_JSSE_TRACE set: each request (its op) and engine step on
    // stderr, for debugging; tests/jsse.rs counts the requests.
    static final boolean TRACE = System.getenv("TLS_HARNESS_JSSE_TRACE") != null;
    static final AtomicInteger nextId = new AtomicInteger(1);
    static final ExecutorService pool = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), work -> {
                Thread t = new Thread(work, "engines");
                t.setDaemon(true);
                return t;
            });

    /** One harness's contexts and engines, by id. */
    static final class Session {
        final Map<Integer, Config> contexts = new ConcurrentHashMap<>();
        final Map<Integer, Engine> engines = new ConcurrentHashMap<>();
        /** Its requests being answered. */
        final AtomicInteger inFlight = new AtomicInteger();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--shared")) {
            shared(Paths.get(args[1]), Integer.parseInt(args[2]));
        } else {
            session(System.in, System.out);
        }
        System.exit(0);
    }

    /** Serves one harness until its input ends. */
    static void session(InputStream input, OutputStream output) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(input, 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(output, 1 << 16));
        Session session = new Session();
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException end) {
                session.engines.clear();
                session.contexts.clear();
                return;
            }
            byte[] request = new byte[length];
            in.readFully(request);
            // A request alone is answered right here: handing it to the
            // pool costs a thread switch, much of a turn's time when one
            // handshake runs at a time. With others in flight or waiting,
            // the pool runs them side by side. A request nobody waits for
            // (id 0: forgetting an engine or a context) is a map removal:
            // always here.
            if (unanswered(request)) {
                answer(session, request, out);
            } else if (session.inFlight.incrementAndGet() == 1 && in.available() == 0) {
                answer(session, request, out);
                session.inFlight.decrementAndGet();
            } else {
                pool.execute(() -> {
                    answer(session, request, out);
                    session.inFlight.decrementAndGet();
                });
            }
        }
    }

    /** How long a new shared JVM waits for an exiting one's lock. */
    static final long LOCK_WAIT_MILLIS = 5_000;
    /** How long a connection may take to send its secret. */
    static final int SECRET_WAIT_MILLIS = 5_000;
    /** The lock that makes this JVM the shared one, held for its life. */
    static FileLock held;

    /** The JVM harness processes share; see the top of this file. */
    static void shared(Path dir, int idleSeconds) throws Exception {
        held = lock(dir.resolve("jvm.lock"));
        if (held == null) return;
        ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        Path port = dir.resolve("jvm.port");
        String announced = server.getLocalPort() + " " + hex(secret) + "\n";
        announce(dir, port, announced);
        Idle idle = new Idle(idleSeconds, server, port, announced);
        Thread watch = new Thread(idle::watch, "idle");
        watch.setDaemon(true);
        watch.start();
        while (true) {
            Socket connection;
            try {
                connection = server.accept();
            } catch (IOException closed) {
                return; // the idle watch closed it: exiting
            }
            idle.opened();
            Thread t = new Thread(() -> serve(connection, secret, idle), "session");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * The lock of the shared JVM, or null when another live JVM holds it.
     * One that is exiting lets go within moments: wait a little for it.
     */
    static FileLock lock(Path path) throws Exception {
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long until = System.currentTimeMillis() + LOCK_WAIT_MILLIS;
        while (true) {
            FileLock lock = file.tryLock();
            if (lock != null) return lock;
            if (System.currentTimeMillis() > until) {
                file.close();
                return null;
            }
            Thread.sleep(50);
        }
    }

    /** Writes the port and secret where harness processes look, readable by this user only. */
    static void announce(Path dir, Path port, String text) throws IOException {
        Path written = dir.resolve("jvm.port.tmp");
        Files.deleteIfExists(written);
        try {
            Files.createFile(written, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(written);
        }
        Files.write(written, text.getBytes(StandardCharsets.US_ASCII));
        Files.move(written, port, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** One harness's connection: its secret, then its session. */
    static void serve(Socket connection, byte[] secret, Idle idle) {
        try {
            connection.setTcpNoDelay(true);
            connection.setSoTimeout(SECRET_WAIT_MILLIS);
            byte[] offered = new DataInputStream(connection.getInputStream()).readNBytes(16);
            // A session waits for its harness's next request as long as the
            // harness lives (a `serve` may be idle for hours).
            connection.setSoTimeout(0);
            if (MessageDigest.isEqual(offered, secret)) {
                session(connection.getInputStream(), connection.getOutputStream());
            }
        } catch (IOException gone) {
            // The harness went away, or never said its secret.
        } finally {
            try {
                connection.close();
            } catch (IOException ignored) {
                // Already closed.
            }
            idle.closed();
        }
    }

    /** Counts open connections and ends the shared JVM once idle. */
    static final class Idle {
        final long idleNanos;
        final ServerSocket server;
        final Path port;
        final String announced;
        int open;
        long since = System.nanoTime();

        Idle(int seconds, ServerSocket server, Path port, String announced) {
            this.idleNanos = seconds * 1_000_000_000L;
            this.server = server;
            this.port = port;
            this.announced = announced;
        }

        synchronized void opened() {
            open++;
        }

        synchronized void closed() {
            open--;
            since = System.nanoTime();
        }

        void watch() {
            while (true) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException stop) {
                    return;
                }
                synchronized (this) {
                    if (open == 0 && System.nanoTime() - since > idleNanos) {
                        exit();
                    }
                }
            }
        }

        /** Stops taking connections, takes down its own port file, exits. */
        void exit() {
            try {
                server.close();
                if (announced.equals(new String(Files.readAllBytes(port), StandardCharsets.US_ASCII))) {
                    Files.delete(port);
                }
            } catch (IOException ignored) {
                // The next harness finds nothing answering and starts a JVM.
            }
            System.exit(0);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) b.append(String.format("%02x", x & 0xFF));
        return b.toString();
    }

    /** Whether `request` has id 0: nobody waits for its answer. */
    static boolean unanswered(byte[] request) {
        return request.length >= 4 && (request[0] | request[1] | request[2] | request[3]) == 0;
    }

    /** Runs one request and writes its answer, tagged with its id (none for id 0). */
    static void answer(Session session, byte[] request, DataOutputStream out) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        DataOutputStream a = new DataOutputStream(answer);
        DataInputStream r = new DataInputStream(new ByteArrayInputStream(request));
        int id = 0;
        byte status = 0;
        try {
            id = r.readInt();
            handle(session, r, a);
        } catch (Exception e) {
            answer.reset();
            status = 1;
            try {
                writeString(a, e.getClass().getName() + ": " + e.getMessage());
            } catch (IOException never) {
                // A ByteArrayOutputStream does not fail.
            }
        }
        if (unanswered(request)) return;
        synchronized (out) {
            try {
                a.flush();
                out.writeInt(answer.size() + 5);
                out.writeInt(id);
                out.writeByte(status);
                answer.writeTo(out);
                out.flush();
            } catch (IOException gone) {
                // The harness has gone; the next read ends the JVM.
            }
        }
    }

    static void handle(Session s, DataInputStream r, DataOutputStream a) throws Exception {
        byte op = r.readByte();
        if (TRACE) System.err.println("jsse request " + op);
        switch (op) {
            case OP_HELLO: hello(a); break;
            case OP_CONTEXT: a.writeInt(context(s, r)); break;
            case OP_OPEN: {
                // A new engine of a context and its first turn, in one
                // round trip.
                int context = r.readInt();
                int id = engine(s, context);
                a.writeInt(id);
                a.writeByte(s.contexts.get(context).server ? 1 : 0);
                Engine e = s.engines.get(id);
                synchronized (e) {
                    feed(e, r, a);
                }
                break;
            }
            case OP_FEED: feed(s, r, a); break;
            case OP_FREE: {
                Engine gone = s.engines.remove(r.readInt());
                if (gone != null) presented.remove(gone.engine);
                break;
            }
            case OP_FREE_CONTEXT: s.contexts.remove(r.readInt()); break;
            case OP_BARE: a.writeLong(bare(s, r.readInt(), r.readInt(), r.readInt())); break;
            case OP_BARE_PEER:
                a.writeLong(barePeer(s.contexts.get(r.readInt()), r.readInt(), r.readInt()));
                break;
            default: throw new IllegalArgumentException("unknown op " + op);
        }
    }

    /** The JVM's version, and what an engine supports under this JVM's settings. */
    static void hello(DataOutputStream a) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine e = ctx.createSSLEngine();
        writeString(a, System.getProperty("java.version"));
        writeStrings(a, e.getSupportedProtocols());
        writeStrings(a, e.getSupportedCipherSuites());
        writeString(a, String.valueOf(Security.getProperty("jdk.tls.disabledAlgorithms")));
    }

    static int context(Session s, DataInputStream r) throws Exception {
        Config c = new Config();
        c.server = r.readBoolean();
        c.protocols = readStrings(r);
        c.suites = readStrings(r);
        c.clientAuth = r.readByte();
        c.serverName = readString(r);
        c.serverPreference = r.readBoolean();
        c.denied = readStrings(r);
        c.alpn = readStrings(r);
        c.alpnIgnore = r.readBoolean();
        c.minRsa = r.readInt();
        c.minDh = r.readInt();
        c.minEc = r.readInt();
        long verifyAt = r.readLong();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        int identities = r.readInt();
        char[] password = "harness".toCharArray();
        for (int i = 0; i < identities; i++) {
            String algorithm = readString(r);
            byte[] pkcs8 = readBytes(r);
            int n = r.readInt();
            java.security.cert.Certificate[] chain = new java.security.cert.Certificate[n];
            for (int j = 0; j < n; j++) chain[j] = certificate(readBytes(r));
            PrivateKey key = KeyFactory.getInstance(algorithm)
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            keys.setKeyEntry("identity-" + i, key, password, chain);
        }
        int anchors = r.readInt();
        Set<TrustAnchor> trust = new HashSet<>();
        for (int i = 0; i < anchors; i++) {
            trust.add(new TrustAnchor((X509Certificate) certificate(readBytes(r)), null));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(keys, password);
        TrustManager[] tms = null;
        // A client, or a server that asks for certificates, verifies with
        // PKIX, which refuses an empty anchor set right here.
        if (!trust.isEmpty() || !c.server || c.clientAuth != 0) {
            PKIXBuilderParameters params = new PKIXBuilderParameters(trust, new X509CertSelector());
            params.setRevocationEnabled(false);
            params.setDate(new Date(verifyAt * 1000));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(params));
            tms = tmf.getTrustManagers();
        } else {
            KeyStore empty = KeyStore.getInstance("PKCS12");
            empty.load(null, null);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(empty);
            tms = tmf.getTrustManagers();
        }
        c.context = SSLContext.getInstance("TLS");
        for (int i = 0; i < tms.length; i++) {
            if (tms[i] instanceof X509ExtendedTrustManager) {
                tms[i] = new Recording((X509ExtendedTrustManager) tms[i]);
            }
        }
        c.context.init(kmf.getKeyManagers(), tms, null);
        // No session reuse: every engine runs a full handshake.
        c.context.getClientSessionContext().setSessionCacheSize(1);
        c.context.getServerSessionContext().setSessionCacheSize(1);
        // Fail now on a setting this JVM refuses, not at handshake.
        configure(c, c.context.createSSLEngine());
        int id = nextId.getAndIncrement();
        s.contexts.put(id, c);
        return id;
    }

    /** The chains each engine's peer presented, verified or not. */
    static final Map<SSLEngine, X509Certificate[]> presented =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** PKIX as it is, remembering the chain it was asked to verify. */
    static final class Recording extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager inner;

        Recording(X509ExtendedTrustManager inner) {
            this.inner = inner;
        }

        public void checkClientTrusted(X509Certificate[] chain, String auth, SSLEngine e)
                throws CertificateException {
            presented.put(e, chain);
            inner.checkClientTrusted(chain, auth, e);
        }

        public void checkServerTrusted(X509Certificate[] chain, String auth, SSLEngine e)
                throws CertificateException {
            presented.put(e, chain);
            inner.checkServerTrusted(chain, auth, e);
        }

        public void checkClientTrusted(X509Certificate[] chain, String auth, java.net.Socket s)
                throws CertificateException {
            inner.checkClientTrusted(chain, auth, s);
        }

        public void checkServerTrusted(X509Certificate[] chain, String auth, java.net.Socket s)
                throws CertificateException {
            inner.checkServerTrusted(chain, auth, s);
        }

        public void checkClientTrusted(X509Certificate[] chain, String auth)
                throws CertificateException {
            inner.checkClientTrusted(chain, auth);
        }

        public void checkServerTrusted(X509Certificate[] chain, String auth)
                throws CertificateException {
            inner.checkServerTrusted(chain, auth);
        }

        public X509Certificate[] getAcceptedIssuers() {
            return inner.getAcceptedIssuers();
        }
    }

    /**
     * The bench's bare loop between two JSSE ends: `n` connections over
     * loopback from an engine of the client context to one of the server
     * context, each driven directly over its blocking socket as
     * [`barePeer`] drives one; answers the nanoseconds they took.
     */
    static long bare(Session session, int clientContext, int serverContext, int n)
            throws Exception {
        Config client = session.contexts.get(clientContext);
        Config server = session.contexts.get(serverContext);
        if (client == null || server == null) throw new IllegalArgumentException("no such context");
        try (ServerSocket listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(BARE_DEADLINE_MILLIS);
            int port = listener.getLocalPort();
            Exception[] failed = {null};
            Thread serving = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        try (Socket socket = listener.accept()) {
                            converse(server, socket);
                        }
                    }
                } catch (Exception e) {
                    failed[0] = e;
                }
            }, "bare-server");
            serving.start();
            long took = barePeer(client, port, n);
            serving.join();
            if (failed[0] != null) throw failed[0];
            return took;
        }
    }

    /**
     * The bench's bare loop against another library: `n` connections to
     * 127.0.0.1:`port`, each one engine of the context driven directly over
     * a blocking socket (handshake, ping or pong, close_notify), no harness
     * in between; answers the nanoseconds they took.
     */
    static long barePeer(Config c, int port, int n) throws Exception {
        if (c == null) throw new IllegalArgumentException("no such context");
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        BARE_DEADLINE_MILLIS);
                converse(c, socket);
            }
        }
        return System.nanoTime() - started;
    }

    /** One engine of `c` over `ch`: handshake, ping or pong, close_notify. */
    static void converse(Config c, Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(BARE_DEADLINE_MILLIS);
        SSLEngine e = c.context.createSSLEngine();
        configure(c, e);
        e.beginHandshake();
        Pipe p = new Pipe(e, socket);
        p.handshake();
        if (e.getUseClientMode()) {
            p.send("ping");
            p.receive(4);
            p.close();
        } else {
            p.receive(4);
            p.send("pong");
            p.drain();
        }
    }

    /** How long a bare loop's socket waits for its peer. */
    static final int BARE_DEADLINE_MILLIS = 10_000;

    /** One engine over a blocking socket, for [`barePeer`]. */
    static final class Pipe {
        final SSLEngine e;
        final InputStream input;
        final OutputStream output;
        final ByteBuffer in = ByteBuffer.allocate(1 << 17), out = ByteBuffer.allocate(1 << 17),
                app = ByteBuffer.allocate(1 << 17), empty = ByteBuffer.allocate(0);

        Pipe(SSLEngine e, Socket socket) throws IOException {
            this.e = e;
            this.input = socket.getInputStream();
            this.output = socket.getOutputStream();
        }

        void flush() throws IOException {
            output.write(out.array(), 0, out.position());
            output.flush();
            out.clear();
        }

        /** More bytes from the peer; false at the end of the stream. */
        boolean read() throws IOException {
            int n = input.read(in.array(), in.position(), in.remaining());
            if (n < 0) return false;
            in.position(in.position() + n);
            return true;
        }

        /** One unwrap of what has come; false at the end of the stream. */
        boolean unwrap() throws IOException {
            in.flip();
            SSLEngineResult r = e.unwrap(in, app);
            in.compact();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) return false;
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0) {
                return read();
            }
            return true;
        }

        void handshake() throws IOException {
            while (true) {
                switch (e.getHandshakeStatus()) {
                    case NEED_WRAP:
                        e.wrap(empty, out);
                        flush();
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!unwrap()) throw new EOFException("closed in the handshake");
                        break;
                    case NEED_TASK:
                        for (Runnable t; (t = e.getDelegatedTask()) != null; ) t.run();
                        break;
                    default:
                        return;
                }
            }
        }

        void send(String text) throws IOException {
            e.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), out);
            flush();
        }

        void receive(int n) throws IOException {
            while (app.position() < n) {
                if (!unwrap()) throw new EOFException("closed before the answer");
                if (e.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    e.wrap(empty, out);
                    flush();
                }
            }
            app.clear();
        }

        void close() throws IOException {
            e.closeOutbound();
            while (!e.isOutboundDone()) {
                e.wrap(empty, out);
                flush();
            }
        }

        /** Reads to the peer's close_notify (or the end), then closes. */
        void drain() throws IOException {
            while (!e.isInboundDone() && unwrap()) {
                app.clear();
            }
            close();
        }
    }

    static java.security.cert.Certificate certificate(byte[] der) throws CertificateException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    static void configure(Config c, SSLEngine e) {
        e.setUseClientMode(!c.server);
        // What this runtime's settings disable it does not support either
        // (a release that disables static ECDH lists no TLS_ECDH_* suite):
        // the engine enables the rest, as a product handing the JDK its
        // list would get, and refuses at handshake when nothing is left.
        e.setEnabledProtocols(supported(c.protocols, e.getSupportedProtocols()));
        e.setEnabledCipherSuites(supported(c.suites, e.getSupportedCipherSuites()));
        SSLParameters p = e.getSSLParameters();
        if (c.server) {
            p.setUseCipherSuitesOrder(c.serverPreference);
            if (c.clientAuth == 2) p.setNeedClientAuth(true);
            else if (c.clientAuth == 1) p.setWantClientAuth(true);
        } else {
            p.setEndpointIdentificationAlgorithm("HTTPS");
            if (!c.serverName.isEmpty()) {
                p.setServerNames(List.of(new SNIHostName(c.serverName)));
            }
        }
        if (c.denied.length > 0 || c.minRsa > 0 || c.minDh > 0 || c.minEc > 0) {
            p.setAlgorithmConstraints(new NameFilter(c.denied, c.minRsa, c.minDh, c.minEc));
        }
        if (c.alpn.length > 0 && !(c.server && c.alpnIgnore)) p.setApplicationProtocols(c.alpn);
        e.setSSLParameters(p);
        if (c.alpn.length > 0 && c.server && c.alpnIgnore) {
            List<String> ours = List.of(c.alpn);
            // "" tells JSSE to go on without ALPN (SSLEngine's javadoc).
            e.setHandshakeApplicationProtocolSelector((engine, offered) -> ours.stream()
                    .filter(offered::contains).findFirst().orElse(""));
        }
    }

    /**
     * Named groups and signature schemes per engine: JDK 17 has no
     * SSLParameters.setNamedGroups or setSignatureSchemes (JDK 20), but
     * checks every named group and scheme against the engine's
     * AlgorithmConstraints by its name before it offers, accepts or signs
     * with it (NamedGroup.isPermitted, SignatureScheme.isPermitted). This
     * refuses the names the harness gives (the JDK's groups and schemes the
     * profile leaves out) and permits everything else; the order stays the
     * JDK's (jdk.tls.namedGroups, jdk.tls.signatureSchemes, process-wide).
     *
     * It also refuses keys under the profile's minimum sizes: the JDK asks
     * the engine's constraints about every key it meets (the peer's
     * certificate chain, through the trust manager's AlgorithmChecker, and
     * its DHE and ECDHE key shares), as jdk.tls.disabledAlgorithms'
     * "keySize <" rules do process-wide. The JDK's own rules still apply.
     */
    static final class NameFilter implements AlgorithmConstraints {
        final Set<String> denied = new HashSet<>();
        final int minRsa, minDh, minEc;

        NameFilter(String[] names, int minRsa, int minDh, int minEc) {
            for (String n : names) denied.add(n.toLowerCase(Locale.ROOT));
            this.minRsa = minRsa;
            this.minDh = minDh;
            this.minEc = minEc;
        }

        boolean named(String algorithm) {
            return algorithm == null || !denied.contains(algorithm.toLowerCase(Locale.ROOT));
        }

        /** Whether the key is at least the minimum size of its kind. */
        boolean sized(Key key) {
            if (key instanceof java.security.interfaces.RSAKey) {
                return ((java.security.interfaces.RSAKey) key).getModulus().bitLength() >= minRsa;
            }
            if (key instanceof java.security.interfaces.DSAKey) {
                java.security.interfaces.DSAParams ps = ((java.security.interfaces.DSAKey) key).getParams();
                return ps == null || ps.getP().bitLength() >= minRsa;
            }
            if (key instanceof javax.crypto.interfaces.DHKey) {
                return ((javax.crypto.interfaces.DHKey) key).getParams().getP().bitLength() >= minDh;
            }
            if (key instanceof java.security.interfaces.ECKey) {
                return ((java.security.interfaces.ECKey) key).getParams().getCurve().getField()
                        .getFieldSize() >= minEc;
            }
            return true;
        }

        public boolean permits(Set<CryptoPrimitive> p, String algorithm, AlgorithmParameters ps) {
            return named(algorithm);
        }

        public boolean permits(Set<CryptoPrimitive> p, Key key) {
            return sized(key);
        }

        public boolean permits(Set<CryptoPrimitive> p, String algorithm, Key key,
                AlgorithmParameters ps) {
            return named(algorithm) && sized(key);
        }
    }

    static int engine(Session s, int contextId) throws Exception {
        Config c = s.contexts.get(contextId);
        if (c == null) throw new IllegalArgumentException("no context " + contextId);
        Engine e = new Engine();
        // No peer host and port: the session cache can never resume.
        e.engine = c.context.createSSLEngine();
        configure(c, e.engine);
        e.engine.beginHandshake();
        int id = nextId.getAndIncrement();
        s.engines.put(id, e);
        return id;
    }

    /**
     * Feeds what the peer wrote, optionally application data to send and a
     * close, and runs the engine as far as it goes. Answers: state (0 going,
     * 1 handshake done, 2 failed), the bytes to write, the application data
     * read, whether the peer closed, then for a done handshake the protocol,
     * the suite and the peer's chain, for a failure the exception's class
     * chain, the CertPathValidatorException reason (or ""), the alert
     * received in the clear (-1 none), and the peer's chain.
     */
    static void feed(Session s, DataInputStream r, DataOutputStream a) throws Exception {
        Engine e = s.engines.get(r.readInt());
        if (e == null) throw new IllegalArgumentException("no such engine");
        synchronized (e) {
            feed(e, r, a);
        }
    }

    static void feed(Engine e, DataInputStream r, DataOutputStream a) throws Exception {
        byte[] input = readBytes(r);
        byte[] app = readBytes(r);
        int after = r.readInt();
        int closeAfter = r.readInt();
        e.inNet = joined(e.inNet, input);
        e.app = joined(e.app, app);
        if (app.length > 0) e.appAfter = after;
        if (closeAfter >= 0 && e.closeAfter < 0) e.closeAfter = closeAfter;
        ByteArrayOutputStream net = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        boolean[] peerClosed = {false};
        Exception error = null;
        boolean wroteAlert = false;
        try {
            run(e, net, plain, peerClosed);
        } catch (SSLException | RuntimeException ex) {
            // A RuntimeException: JSSE's "Unexpected error" around a
            // configuration it accepted but cannot use (no trust anchors).
            error = ex;
            e.failed = true;
            int before = net.size();
            drainAlert(e, net);
            wroteAlert = net.size() > before;
        }
        int state = error != null ? 2 : e.done ? 1 : 0;
        boolean wroteBefore = e.wroteBefore;
        e.wroteBefore |= net.size() > 0;
        a.writeByte(state);
        writeBytes(a, net.toByteArray());
        writeBytes(a, plain.toByteArray());
        a.writeBoolean(peerClosed[0]);
        if (state == 1) {
            SSLSession s = e.engine.getSession();
            writeString(a, s.getProtocol());
            writeString(a, s.getCipherSuite());
            writeChain(a, s);
            String protocol = e.engine.getApplicationProtocol();
            writeString(a, protocol == null ? "" : protocol);
        } else if (state == 2) {
            List<String> classes = new ArrayList<>();
            String reason = "";
            for (Throwable t = error; t != null; t = t.getCause()) {
                classes.add(t.getClass().getName());
                if (t instanceof CertPathValidatorException && reason.isEmpty()) {
                    reason = String.valueOf(((CertPathValidatorException) t).getReason());
                }
            }
            writeStrings(a, classes.toArray(new String[0]));
            writeString(a, reason);
            a.writeInt(e.receivedAlert);
            writeString(a, String.valueOf(error.getMessage()));
            X509Certificate[] seen = presented.get(e.engine);
            int peers = seen != null ? seen.length : 0;
            a.writeInt(peers);
            for (int i = 0; i < peers; i++) writeBytes(a, seen[i].getEncoded());
            // A server that requires a client certificate and holds none.
            // (after its first flight: the client's Certificate came)
            a.writeBoolean(!e.engine.getUseClientMode() && e.engine.getNeedClientAuth()
                    && peers == 0 && wroteBefore);
            // JSSE answers a fatal alert it received with none of its own.
            a.writeBoolean(!wroteAlert);
        }
    }

    static int writeChain(DataOutputStream a, SSLSession s) throws Exception {
        java.security.cert.Certificate[] chain;
        try {
            chain = s.getPeerCertificates();
        } catch (SSLPeerUnverifiedException none) {
            chain = new java.security.cert.Certificate[0];
        }
        a.writeInt(chain.length);
        for (java.security.cert.Certificate c : chain) writeBytes(a, c.getEncoded());
        return chain.length;
    }

    /** What is left of `rest` with `more` after it. */
    static ByteBuffer joined(ByteBuffer rest, byte[] more) {
        if (more.length == 0) return rest;
        ByteBuffer joined = ByteBuffer.allocate(rest.remaining() + more.length);
        joined.put(rest).put(more).flip();
        return joined;
    }

    /**
     * Runs `e` as far as it goes on what it holds: handshake messages,
     * the peer's records, its own application data once the handshake is
     * done and enough plaintext has come in, then its close_notify once
     * that data is out and its plaintext has come in.
     */
    static void run(Engine e, ByteArrayOutputStream net,
            ByteArrayOutputStream plain, boolean[] peerClosed) throws SSLException {
        SSLEngine engine = e.engine;
        ByteBuffer empty = ByteBuffer.allocate(0);
        for (int guard = 0; guard < 10000; guard++) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (TRACE) System.err.println("jsse " + (engine.getUseClientMode() ? "client" : "server") + " " + hs + " in=" + e.inNet.remaining() + " out=" + net.size());
            switch (hs) {
                case NEED_TASK:
                    for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
                    continue;
                case NEED_WRAP:
                    if (wrap(engine, empty, net).getStatus() == SSLEngineResult.Status.CLOSED
                            && engine.isOutboundDone()) return;
                    continue;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (!unwrap(e, plain, peerClosed)) return;
                    continue;
                default:
                    break;
            }
            // Not handshaking: done once a session is up.
            if (!e.done && !"NONE".equals(engine.getSession().getProtocol())
                    && !e.engine.isInboundDone()) {
                e.done = true;
            }
            if (e.done && e.app.hasRemaining() && e.plainIn >= e.appAfter
                    && !engine.isOutboundDone()) {
                wrap(engine, e.app, net);
                continue;
            }
            if (e.inNet.hasRemaining() && !engine.isInboundDone()) {
                if (unwrap(e, plain, peerClosed)) continue;
            }
            if (!e.closedOut && e.closeAfter >= 0 && !e.app.hasRemaining()
                    && e.plainIn >= e.closeAfter) {
                e.closedOut = true;
                engine.closeOutbound();
                continue;
            }
            return;
        }
    }

    static SSLEngineResult wrap(SSLEngine engine, ByteBuffer src, ByteArrayOutputStream net)
            throws SSLException {
        ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() + 1024);
        SSLEngineResult res = engine.wrap(src, dst);
        dst.flip();
        net.write(dst.array(), 0, dst.limit());
        return res;
    }

    /** One unwrap; false when more input is needed. */
    static boolean unwrap(Engine e, ByteArrayOutputStream plain, boolean[] peerClosed)
            throws SSLException {
        ByteBuffer in = e.inNet;
        // A whole alert record in the clear: remember what it says.
        if (in.remaining() >= 7 && in.get(in.position()) == 21
                && in.get(in.position() + 3) == 0 && in.get(in.position() + 4) == 2
                && in.get(in.position() + 5) == 2) {
            e.receivedAlert = in.get(in.position() + 6) & 0xFF;
        }
        ByteBuffer dst = ByteBuffer.allocate(e.engine.getSession().getApplicationBufferSize() + 1024);
        SSLEngineResult res = e.engine.unwrap(in, dst);
        dst.flip();
        plain.write(dst.array(), 0, dst.limit());
        e.plainIn += dst.limit();
        if (res.getStatus() == SSLEngineResult.Status.CLOSED) {
            peerClosed[0] = true;
            return e.engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
        }
        return res.getStatus() == SSLEngineResult.Status.OK
                && (res.bytesConsumed() > 0 || res.bytesProduced() > 0
                    || res.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP);
    }

    /** After a failure JSSE has its fatal alert queued: wrap it out. */
    static void drainAlert(Engine e, ByteArrayOutputStream net) {
        for (int i = 0; i < 8 && !e.engine.isOutboundDone(); i++) {
            try {
                SSLEngineResult res = wrap(e.engine, ByteBuffer.allocate(0), net);
                if (res.bytesProduced() == 0) return;
            } catch (SSLException again) {
                return;
            }
        }
    }

    /** The names of `wanted` that `supported` holds, in `wanted`'s order. */
    static String[] supported(String[] wanted, String[] supported) {
        List<String> known = Arrays.asList(supported);
        return Arrays.stream(wanted).filter(known::contains).toArray(String[]::new);
    }

    static String readString(DataInputStream r) throws IOException {
        return new String(readBytes(r), StandardCharsets.UTF_8);
    }

    static byte[] readBytes(DataInputStream r) throws IOException {
        byte[] b = new byte[r.readInt()];
        r.readFully(b);
        return b;
    }

    static String[] readStrings(DataInputStream r) throws IOException {
        String[] out = new String[r.readInt()];
        for (int i = 0; i < out.length; i++) out[i] = readString(r);
        return out;
    }

    static void writeBytes(DataOutputStream a, byte[] b) throws IOException {
        a.writeInt(b.length);
        a.write(b);
    }

    static void writeString(DataOutputStream a, String s) throws IOException {
        writeBytes(a, s.getBytes(StandardCharsets.UTF_8));
    }

    static void writeStrings(DataOutputStream a, String[] list) throws IOException {
        a.writeInt(list.length);
        for (String s : list) writeString(a, s);
    }
}
