// Starts a Neo4j 5 Community DBMS in this JVM with Bolt on 127.0.0.1 and waits until it is stopped.
// Usage: java [jvm flags] -cp 'classes:lib/*' Launcher HOME PORT [PAGECACHE_MB [TX_MAX_MB [TX_TOTAL_MB]]]
// Prints "ready bolt://127.0.0.1:PORT" on stdout once the default database answers a query.
// SIGTERM runs the shutdown hook, which shuts the DBMS down cleanly.
// TX_MAX_MB caps the heap one transaction may use (db.memory.transaction.max) and TX_TOTAL_MB all of
// them together (dbms.memory.transaction.total.max): a query past either limit fails with
// Neo.TransientError.General.MemoryPoolOutOfMemoryError instead of exhausting the heap.
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Launcher HOME PORT [PAGECACHE_MB [TX_MAX_MB [TX_TOTAL_MB]]]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCacheMb = args.length > 2 ? Long.parseLong(args[2]) : 256L;
        long txMaxMb = args.length > 3 ? Long.parseLong(args[3]) : 256L;
        long txTotalMb = args.length > 4 ? Long.parseLong(args[4]) : 512L;
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(HttpsConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
            .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
            .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
            .setConfig(GraphDatabaseSettings.memory_tracking, true)
            .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(txMaxMb))
            .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.mebiBytes(txTotalMb))
            .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("ready bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
