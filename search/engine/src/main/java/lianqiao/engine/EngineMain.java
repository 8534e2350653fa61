package lianqiao.engine;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One single-node OpenSearch cluster on 127.0.0.1 for development and the engine-marked tests.
 *
 * The runner's own main() cannot bind to loopback or select single-node discovery, so this class
 * sets those and then waits until the JVM is told to stop (SIGTERM runs the shutdown hook, which
 * closes the node cleanly so the next start finds a consistent data directory).
 *
 * With -Dengine.plugins=DIR the runner copies DIR (one folder per unpacked plugin zip, here the
 * k-NN plugin) into the node's plugins directory, and the node loads them like installed plugins.
 */
public final class EngineMain {

    private EngineMain() {
    }

    public static void main(final String[] args) throws Exception {
        final String home = System.getProperty("engine.home", "engine/data");
        final String port = System.getProperty("engine.port", "9200");
        final String transportPort = System.getProperty("engine.transportPort", "9300");
        final String plugins = System.getProperty("engine.plugins", "");
        final OpenSearchRunner runner = new OpenSearchRunner();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("engine: close failed: " + e);
            }
        }));
        runner.onBuild((number, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", port);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
            // A developer's nearly full disk must not turn the test index read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", false);
            if (!plugins.isEmpty()) {
                settings.put("path.plugins", plugins);
            }
        }).build(newConfigs().basePath(home).numOfNode(1).clusterName("lianqiao-dev"));
        runner.ensureYellow();
        System.out.println("engine: ready on http://127.0.0.1:" + port);
        while (!runner.isClosed()) {
            Thread.sleep(2000);
        }
    }
}
