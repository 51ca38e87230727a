package dev.strand.client;

import dev.strand.protocol.error.InvalidArgumentException;

import java.util.ArrayList;
import java.util.List;

/** Where a Strand server listens: {@code HOST:PORT}, {@code HOST} (default port) or {@code [IPv6]:PORT}. */
public record ServerAddress(String host, int port) {

    /** Strand's documented default port. */
    public static final int DEFAULT_PORT = 7411;

    public static final ServerAddress LOCAL_DEFAULT = new ServerAddress("127.0.0.1", DEFAULT_PORT);

    public ServerAddress {
        if (host == null || host.isBlank()) {
            throw new InvalidArgumentException("empty server host");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidArgumentException("server port " + port + " outside 1..65535");
        }
    }

    public static ServerAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidArgumentException("empty server address; expected HOST:PORT");
        }
        String s = text.trim();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new InvalidArgumentException("bad server address '" + text + "': missing ']'");
            }
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return new ServerAddress(host, DEFAULT_PORT);
            }
            if (!rest.startsWith(":")) {
                throw new InvalidArgumentException("bad server address '" + text + "'; expected [HOST]:PORT");
            }
            return new ServerAddress(host, parsePort(rest.substring(1), text));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return new ServerAddress(s, DEFAULT_PORT);
        }
        if (s.indexOf(':') != colon) {
            throw new InvalidArgumentException("bad server address '" + text + "': write IPv6 hosts as [HOST]:PORT");
        }
        return new ServerAddress(s.substring(0, colon), parsePort(s.substring(colon + 1), text));
    }

    /** A comma separated list, as {@code --server a:1,b:2} and {@code STRAND_SERVER} take it. */
    public static List<ServerAddress> parseList(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidArgumentException("empty server address; expected HOST:PORT[,HOST:PORT...]");
        }
        List<ServerAddress> list = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                list.add(parse(part));
            }
        }
        if (list.isEmpty()) {
            throw new InvalidArgumentException("no server address in '" + text + "'");
        }
        return List.copyOf(list);
    }

    private static int parsePort(String port, String text) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("bad port in server address '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
