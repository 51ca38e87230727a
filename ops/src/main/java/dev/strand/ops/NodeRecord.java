package dev.strand.ops;

/** One line of nodes.tsv. */
record NodeRecord(int node, int clientPort, int clusterPort, long pid) {
    static NodeRecord parse(String line) {
        String[] f = line.split("\t");
        return new NodeRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Long.parseLong(f[3]));
    }

    String line() {
        return node + "\t" + clientPort + "\t" + clusterPort + "\t" + pid;
    }

    String clientAddress() {
        return "127.0.0.1:" + clientPort;
    }
}
