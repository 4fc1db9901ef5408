<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>main</name>
    <message>
        <source>Segments what a sentence describes in remote-sensing rasters.</source>
        <translation>Segmentiert in Fernerkundungsrastern, was ein Satz beschreibt.</translation>
    </message>
    <message>
        <source>Rasters to open.</source>
        <translation>Zu öffnende Raster.</translation>
    </message>
    <message>
        <source>Interface language: en, zh_CN, de or system.</source>
        <translation>Sprache der Oberfläche: en, zh_CN, de oder system.</translation>
    </message>
    <message>
        <source>Read and write settings in this INI file.</source>
        <translation>Einstellungen in dieser INI-Datei lesen und schreiben.</translation>
    </message>
    <message>
        <source>Time start-up, the first drawn view of RASTER and two queries on it; print JSON and quit.</source>
        <translation>Start, erste gezeichnete Ansicht von RASTER und zwei Abfragen darauf messen; JSON ausgeben und beenden.</translation>
    </message>
    <message>
        <source>With --benchmark: use seeded random weights of this architecture (rsrefseg-b, or a bundle folder) instead of the model bundle.</source>
        <translation>Mit --benchmark: reproduzierbare Zufallsgewichte dieser Architektur (rsrefseg-b oder ein Bundle-Ordner) statt des Modell-Bundles verwenden.</translation>
    </message>
    <message>
        <source>With --benchmark-random-weights: the SigLIP spiece.model.</source>
        <translation>Mit --benchmark-random-weights: das SigLIP-spiece.model.</translation>
    </message>
    <message>
        <source>With --benchmark: f32 or bf16 (f16 on GPUs).</source>
        <translation>Mit --benchmark: f32 oder bf16 (f16 auf GPUs).</translation>
    </message>
</context>
<context>
    <name>rsrefseg::BatchDialog</name>
    <message>
        <source>Batch Segmentation</source>
        <translation>Stapelsegmentierung</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Raster folder:</source>
        <translation>Rasterordner:</translation>
    </message>
    <message>
        <source>Comma-separated file name patterns (case-insensitive)</source>
        <translation>Kommagetrennte Dateinamenmuster (ohne Groß-/Kleinschreibung)</translation>
    </message>
    <message>
        <source>File patterns:</source>
        <translation>Dateimuster:</translation>
    </message>
    <message>
        <source>Include sub-folders</source>
        <translation>Unterordner einbeziehen</translation>
    </message>
    <message>
        <source>One query per line, e.g.
the white storage tanks
the planes on the apron</source>
        <translation>Eine Abfrage pro Zeile, z. B.
die weißen Lagertanks
die Flugzeuge auf dem Vorfeld</translation>
    </message>
    <message>
        <source>Load…</source>
        <translation>Laden…</translation>
    </message>
    <message>
        <source>Read the queries from a text file (one per line, # starts a comment)</source>
        <translation>Abfragen aus einer Textdatei lesen (eine pro Zeile, # leitet einen Kommentar ein)</translation>
    </message>
    <message>
        <source>Queries:</source>
        <translation>Abfragen:</translation>
    </message>
    <message>
        <source>Tiled (native resolution)</source>
        <translation>Gekachelt (native Auflösung)</translation>
    </message>
    <message>
        <source>View (whole raster as one input)</source>
        <translation>Ansicht (ganzes Raster als eine Eingabe)</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Modus:</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <source>Mask GeoTIFF</source>
        <translation>Masken-GeoTIFF</translation>
    </message>
    <message>
        <source>Probability GeoTIFF</source>
        <translation>Wahrscheinlichkeits-GeoTIFF</translation>
    </message>
    <message>
        <source>No polygons</source>
        <translation>Keine Polygone</translation>
    </message>
    <message>
        <source>GeoPackage</source>
        <translation>GeoPackage</translation>
    </message>
    <message>
        <source>Shapefile</source>
        <translation>Shapefile</translation>
    </message>
    <message>
        <source>GeoJSON</source>
        <translation>GeoJSON</translation>
    </message>
    <message>
        <source>FlatGeobuf</source>
        <translation>FlatGeobuf</translation>
    </message>
    <message>
        <source>Formats:</source>
        <translation>Formate:</translation>
    </message>
    <message>
        <source>Resume: skip what an earlier run finished</source>
        <translation>Fortsetzen: überspringen, was ein früherer Lauf fertiggestellt hat</translation>
    </message>
    <message>
        <source>Replace existing files</source>
        <translation>Vorhandene Dateien ersetzen</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>Cancel Batch</source>
        <translation>Stapel abbrechen</translation>
    </message>
    <message>
        <source>Raster Folder</source>
        <translation>Rasterordner</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <source>Load Queries</source>
        <translation>Abfragen laden</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Textdateien (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Choose an existing raster folder.</source>
        <translation>Wählen Sie einen vorhandenen Rasterordner.</translation>
    </message>
    <message>
        <source>Enter at least one query.</source>
        <translation>Geben Sie mindestens eine Abfrage ein.</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>Wählen Sie einen Ausgabeordner.</translation>
    </message>
    <message>
        <source>Choose at least one output format.</source>
        <translation>Wählen Sie mindestens ein Ausgabeformat.</translation>
    </message>
    <message numerus="yes">
        <source>batch queued: %n query(s)</source>
        <translation>
            <numerusform>Stapel eingereiht: %n Abfrage</numerusform>
            <numerusform>Stapel eingereiht: %n Abfragen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 raster(s), %2 item(s): %3 done, %4 failed, %5 skipped (already done)</source>
        <translation>%1 Raster, %2 Einträge: %3 fertig, %4 fehlgeschlagen, %5 übersprungen (bereits fertig)</translation>
    </message>
    <message>
        <source>manifest: %1</source>
        <translation>Manifest: %1</translation>
    </message>
</context>
<context>
    <name>rsrefseg::CoordinateFormatter</name>
    <message>
        <source>pixel coordinates</source>
        <translation>Pixelkoordinaten</translation>
    </message>
    <message>
        <source>%1°%2, %3°%4</source>
        <translation>%1°%2, %3°%4</translation>
    </message>
    <message>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <source>E</source>
        <translation>O</translation>
    </message>
    <message>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>col %1, row %2</source>
        <translation>Spalte %1, Zeile %2</translation>
    </message>
</context>
<context>
    <name>rsrefseg::ExportDialog</name>
    <message>
        <source>Export Result — %1</source>
        <translation>Ergebnis exportieren — %1</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>Ausgaben</translation>
    </message>
    <message>
        <source>Mask GeoTIFF</source>
        <translation>Masken-GeoTIFF</translation>
    </message>
    <message>
        <source>Probability GeoTIFF</source>
        <translation>Wahrscheinlichkeits-GeoTIFF</translation>
    </message>
    <message>
        <source>8-bit (0-254)</source>
        <translation>8 Bit (0-254)</translation>
    </message>
    <message>
        <source>32-bit float</source>
        <translation>32-Bit-Gleitkomma</translation>
    </message>
    <message>
        <source>Polygons</source>
        <translation>Polygone</translation>
    </message>
    <message>
        <source>GeoPackage</source>
        <translation>GeoPackage</translation>
    </message>
    <message>
        <source>Shapefile</source>
        <translation>Shapefile</translation>
    </message>
    <message>
        <source>GeoJSON</source>
        <translation>GeoJSON</translation>
    </message>
    <message>
        <source>FlatGeobuf</source>
        <translation>FlatGeobuf</translation>
    </message>
    <message>
        <source>Post-processing</source>
        <translation>Nachbearbeitung</translation>
    </message>
    <message>
        <source>one pixel (default)</source>
        <translation>ein Pixel (Standard)</translation>
    </message>
    <message>
        <source>Douglas-Peucker tolerance in map units (topology preserving); 0 keeps every vertex.</source>
        <translation>Douglas-Peucker-Toleranz in Karteneinheiten (topologieerhaltend); 0 behält jeden Stützpunkt.</translation>
    </message>
    <message>
        <source>Simplification tolerance:</source>
        <translation>Vereinfachungstoleranz:</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>Pixel</translation>
    </message>
    <message>
        <source>m²</source>
        <translation>m²</translation>
    </message>
    <message>
        <source>Objects smaller than this are removed (0 keeps all).</source>
        <translation>Objekte, die kleiner sind, werden entfernt (0 behält alle).</translation>
    </message>
    <message>
        <source>Holes smaller than this are filled (0 fills none).</source>
        <translation>Löcher, die kleiner sind, werden gefüllt (0 füllt keine).</translation>
    </message>
    <message>
        <source>Minimum object area:</source>
        <translation>Minimale Objektfläche:</translation>
    </message>
    <message>
        <source>Fill holes smaller than:</source>
        <translation>Löcher füllen kleiner als:</translation>
    </message>
    <message>
        <source>Replace existing files</source>
        <translation>Vorhandene Dateien ersetzen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>Export abbrechen</translation>
    </message>
    <message>
        <source>GeoTIFF (*.tif *.tiff)</source>
        <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
        <source>Export To</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <source>Choose at least one output.</source>
        <translation>Wählen Sie mindestens eine Ausgabe.</translation>
    </message>
    <message>
        <source>export of &quot;%1&quot; queued</source>
        <translation>Export von „%1“ eingereiht</translation>
    </message>
    <message>
        <source>output: %1</source>
        <translation>Ausgabe: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n polygon(s) written</source>
        <translation>
            <numerusform>%n Polygon geschrieben</numerusform>
            <numerusform>%n Polygone geschrieben</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rsrefseg::JobProgressPanel</name>
    <message>
        <source>The job&apos;s log appears here.</source>
        <translation>Hier erscheint das Protokoll des Auftrags.</translation>
    </message>
    <message>
        <source>started</source>
        <translation>gestartet</translation>
    </message>
    <message>
        <source>loading the model %1</source>
        <translation>Modell %1 wird geladen</translation>
    </message>
    <message>
        <source>Done in %1 s</source>
        <translation>Fertig in %1 s</translation>
    </message>
    <message>
        <source>done in %1 s</source>
        <translation>fertig in %1 s</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>cancelled: nothing was written</source>
        <translation>abgebrochen: nichts wurde geschrieben</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>Kacheln</translation>
    </message>
    <message>
        <source>view</source>
        <translation>Ansicht</translation>
    </message>
    <message>
        <source>connected components</source>
        <translation>Zusammenhangskomponenten</translation>
    </message>
    <message>
        <source>polygons</source>
        <translation>Polygone</translation>
    </message>
    <message>
        <source>removing small objects</source>
        <translation>Kleine Objekte werden entfernt</translation>
    </message>
    <message>
        <source>filling holes</source>
        <translation>Löcher werden gefüllt</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerPropertiesWidget</name>
    <message>
        <source>Change the result colour</source>
        <translation>Farbe des Ergebnisses ändern</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>Farbe:</translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation>Deckkraft:</translation>
    </message>
    <message>
        <source>No layer selected.</source>
        <translation>Kein Layer ausgewählt.</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerTreeModel</name>
    <message>
        <source>%1 (running…)</source>
        <translation>%1 (läuft…)</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerTreeView</name>
    <message>
        <source>Result Colour</source>
        <translation>Ergebnisfarbe</translation>
    </message>
    <message>
        <source>&amp;Zoom to Layer</source>
        <translation>Auf Layer &amp;zoomen</translation>
    </message>
    <message>
        <source>Show &amp;Tile Grid</source>
        <translation>&amp;Kachelraster anzeigen</translation>
    </message>
    <message>
        <source>Change &amp;Colour…</source>
        <translation>&amp;Farbe ändern…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Umbenennen</translation>
    </message>
    <message>
        <source>Move &amp;Up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Move &amp;Down</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>Re&amp;move Layer</source>
        <translation>Layer ent&amp;fernen</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MainWindow</name>
    <message>
        <source>&amp;Open Raster…</source>
        <translation>Raster ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a raster (GeoTIFF, JPEG2000, VRT, PNG, …)</source>
        <translation>Ein Raster öffnen (GeoTIFF, JPEG2000, VRT, PNG, …)</translation>
    </message>
    <message>
        <source>&amp;Export Result…</source>
        <translation>Ergebnis &amp;exportieren…</translation>
    </message>
    <message>
        <source>Write the selected result as GeoTIFF and polygons</source>
        <translation>Das ausgewählte Ergebnis als GeoTIFF und Polygone schreiben</translation>
    </message>
    <message>
        <source>&amp;Batch…</source>
        <translation>&amp;Stapelverarbeitung…</translation>
    </message>
    <message>
        <source>Segment a folder of rasters with a list of queries</source>
        <translation>Einen Ordner voller Raster mit einer Liste von Abfragen segmentieren</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Model, device, tiles, cache and language</source>
        <translation>Modell, Gerät, Kacheln, Cache und Sprache</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Quit the application</source>
        <translation>Die Anwendung beenden</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>&amp;Hineinzoomen</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Hineinzoomen</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>He&amp;rauszoomen</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Herauszoomen</translation>
    </message>
    <message>
        <source>Zoom &amp;Full</source>
        <translation>&amp;Volle Ausdehnung</translation>
    </message>
    <message>
        <source>Show every layer</source>
        <translation>Alle Layer anzeigen</translation>
    </message>
    <message>
        <source>Zoom to &amp;Layer</source>
        <translation>Auf &amp;Layer zoomen</translation>
    </message>
    <message>
        <source>Show the selected layer</source>
        <translation>Den ausgewählten Layer anzeigen</translation>
    </message>
    <message>
        <source>&amp;Pan</source>
        <translation>&amp;Verschieben</translation>
    </message>
    <message>
        <source>Pan the map by dragging</source>
        <translation>Die Karte durch Ziehen verschieben</translation>
    </message>
    <message>
        <source>&amp;Inspect Tile</source>
        <translation>Kachel &amp;untersuchen</translation>
    </message>
    <message>
        <source>Click a tile of a result to see why it fired</source>
        <translation>Auf eine Kachel eines Ergebnisses klicken, um zu sehen, warum sie angesprochen hat</translation>
    </message>
    <message>
        <source>&amp;Draw Query Rectangle</source>
        <translation>Abfrage-Rechteck &amp;zeichnen</translation>
    </message>
    <message>
        <source>Drag a rectangle to segment only that area</source>
        <translation>Ein Rechteck aufziehen, um nur diesen Bereich zu segmentieren</translation>
    </message>
    <message>
        <source>&amp;Clear Query Rectangle</source>
        <translation>Abfrage-Rechteck &amp;löschen</translation>
    </message>
    <message>
        <source>Forget the drawn rectangle</source>
        <translation>Das gezeichnete Rechteck verwerfen</translation>
    </message>
    <message>
        <source>Tile &amp;Grid</source>
        <translation>&amp;Kachelraster</translation>
    </message>
    <message>
        <source>Show the tiles of the selected result by state</source>
        <translation>Die Kacheln des ausgewählten Ergebnisses nach Zustand anzeigen</translation>
    </message>
    <message>
        <source>&amp;Run Query</source>
        <translation>Abfrage &amp;ausführen</translation>
    </message>
    <message>
        <source>Segment what the query describes</source>
        <translation>Segmentieren, was die Abfrage beschreibt</translation>
    </message>
    <message>
        <source>&amp;Cancel Query</source>
        <translation>Abfrage a&amp;bbrechen</translation>
    </message>
    <message>
        <source>Stop the running query</source>
        <translation>Die laufende Abfrage anhalten</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <source>Type a new query</source>
        <translation>Eine neue Abfrage eingeben</translation>
    </message>
    <message>
        <source>&amp;Remove Layer</source>
        <translation>Layer &amp;entfernen</translation>
    </message>
    <message>
        <source>Remove the selected layer</source>
        <translation>Den ausgewählten Layer entfernen</translation>
    </message>
    <message>
        <source>&amp;About RSRefSeg Desktop</source>
        <translation>Ü&amp;ber RSRefSeg Desktop</translation>
    </message>
    <message>
        <source>About this application</source>
        <translation>Über diese Anwendung</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Tile Inspector</source>
        <translation>Kachelinspektor</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Map</source>
        <translation>&amp;Karte</translation>
    </message>
    <message>
        <source>&amp;Query</source>
        <translation>Ab&amp;frage</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>Abfrage</translation>
    </message>
    <message>
        <source>About RSRefSeg Desktop</source>
        <translation>Über RSRefSeg Desktop</translation>
    </message>
    <message>
        <source>&lt;h3&gt;RSRefSeg Desktop %1&lt;/h3&gt;&lt;p&gt;Segments what a sentence describes in georeferenced remote-sensing rasters.&lt;/p&gt;&lt;p&gt;Model: RSRefSeg (Chen et al., 2025, arXiv:2501.06809): SigLIP + SAM with LoRA, in LibTorch.&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;RSRefSeg Desktop %1&lt;/h3&gt;&lt;p&gt;Segmentiert in georeferenzierten Fernerkundungsrastern, was ein Satz beschreibt.&lt;/p&gt;&lt;p&gt;Modell: RSRefSeg (Chen et al., 2025, arXiv:2501.06809): SigLIP + SAM mit LoRA, in LibTorch.&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Drawing the map</source>
        <translation>Zeichnen der Karte</translation>
    </message>
    <message>
        <source>Rectangle set: the next query with &apos;Drawn rectangle&apos; uses it.</source>
        <translation>Rechteck gesetzt: Die nächste Abfrage mit „Gezeichnetes Rechteck“ verwendet es.</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>wird geladen…</translation>
    </message>
    <message>
        <source>loaded in %1 s</source>
        <translation>in %1 s geladen</translation>
    </message>
    <message>
        <source>Untrained model</source>
        <translation>Untrainiertes Modell</translation>
    </message>
    <message>
        <source>%1 is not a trained model: its masks are meaningless. It is bundled so that the application works out of the box; import real weights with &apos;rsrefseg model import&apos; and choose them in Settings.</source>
        <translation>%1 ist kein trainiertes Modell: Seine Masken sind bedeutungslos. Es liegt bei, damit die Anwendung sofort funktioniert; importieren Sie echte Gewichte mit „rsrefseg model import“ und wählen Sie sie in den Einstellungen.</translation>
    </message>
    <message>
        <source>not loaded</source>
        <translation>nicht geladen</translation>
    </message>
    <message>
        <source>Cannot load the model</source>
        <translation>Das Modell kann nicht geladen werden</translation>
    </message>
    <message>
        <source>Model bundle: %1
Choose another one in Settings &gt; Model.</source>
        <translation>Modellpaket: %1
Wählen Sie ein anderes unter Einstellungen &gt; Modell.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keines</translation>
    </message>
    <message>
        <source>loads with the first query</source>
        <translation>wird bei der ersten Abfrage geladen</translation>
    </message>
    <message>
        <source>UNTRAINED model</source>
        <translation>UNTRAINIERTES Modell</translation>
    </message>
    <message>
        <source>Open Raster</source>
        <translation>Raster öffnen</translation>
    </message>
    <message>
        <source>Rasters (*.tif *.tiff *.jp2 *.vrt *.img *.png *.jpg *.jpeg);;All files (*)</source>
        <translation>Raster (*.tif *.tiff *.jp2 *.vrt *.img *.png *.jpg *.jpeg);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet…</translation>
    </message>
    <message>
        <source>Opening %1: %2 (%3 %)</source>
        <translation>%1 wird geöffnet: %2 (%3 %)</translation>
    </message>
    <message>
        <source>No georeference</source>
        <translation>Keine Georeferenz</translation>
    </message>
    <message>
        <source>%1 has no coordinate reference system: coordinates are pixels and outputs overlay the image in QGIS without a CRS.</source>
        <translation>%1 hat kein Koordinatenbezugssystem: Koordinaten sind Pixel, und die Ausgaben überlagern das Bild in QGIS ohne KBS.</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>%1 kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The new language applies when the application restarts.</source>
        <translation>Die neue Sprache gilt nach einem Neustart der Anwendung.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Select a finished result layer first.</source>
        <translation>Wählen Sie zuerst einen fertigen Ergebnis-Layer.</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>Export abgeschlossen</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MapCanvas</name>
    <message>
        <source>Open a raster with File &gt; Open Raster (Ctrl+O)
or drop one here.</source>
        <translation>Öffnen Sie ein Raster mit Datei &gt; Raster öffnen (Strg+O)
oder ziehen Sie eines hierher.</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MapStatusBar</name>
    <message>
        <source>Map coordinates in the raster&apos;s coordinate reference system</source>
        <translation>Kartenkoordinaten im Koordinatenbezugssystem des Rasters</translation>
    </message>
    <message>
        <source>Longitude and latitude (WGS 84)</source>
        <translation>Länge und Breite (WGS 84)</translation>
    </message>
    <message>
        <source>Raster pixel (column, row from the top-left corner)</source>
        <translation>Rasterpixel (Spalte, Zeile ab der linken oberen Ecke)</translation>
    </message>
    <message>
        <source>Map scale</source>
        <translation>Kartenmaßstab</translation>
    </message>
    <message>
        <source>The segmentation model</source>
        <translation>Das Segmentierungsmodell</translation>
    </message>
    <message>
        <source>%1 px/px</source>
        <translation>%1 px/px</translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation>Zeichnet…</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>UNTRAINED</source>
        <translation>UNTRAINIERT</translation>
    </message>
    <message>
        <source>This model bundle is not trained: its masks are meaningless. Import trained weights with &apos;rsrefseg model import&apos; and choose them in Settings.</source>
        <translation>Dieses Modellpaket ist nicht trainiert: Seine Masken sind bedeutungslos. Importieren Sie trainierte Gewichte mit „rsrefseg model import“ und wählen Sie sie in den Einstellungen.</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MessageBar</name>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Close this message</source>
        <translation>Diese Meldung schließen</translation>
    </message>
    <message numerus="yes">
        <source>%n more</source>
        <translation>
            <numerusform>%n weitere</numerusform>
            <numerusform>%n weitere</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rsrefseg::BundleStatus</name>
    <message>
        <source>No model bundle was found.</source>
        <translation>Es wurde kein Modellpaket gefunden.</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>%1 is not valid JSON: %2</source>
        <translation>%1 ist kein gültiges JSON: %2</translation>
    </message>
</context>
<context>
    <name>rsrefseg::QueryBar</name>
    <message>
        <source>&amp;Find:</source>
        <translation>&amp;Suchen:</translation>
    </message>
    <message>
        <source>Describe what to segment, e.g. &quot;the white storage tanks left of the road&quot;</source>
        <translation>Beschreiben Sie, was segmentiert werden soll, z. B. „die weißen Lagertanks links der Straße“</translation>
    </message>
    <message>
        <source>Type a sentence and press Enter. Earlier queries are in the list.</source>
        <translation>Einen Satz eingeben und die Eingabetaste drücken. Frühere Abfragen stehen in der Liste.</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Ansicht</translation>
    </message>
    <message>
        <source>Tiled</source>
        <translation>Gekachelt</translation>
    </message>
    <message>
        <source>View: the area is resampled into one model input (keeps context).
Tiled: native-resolution tiles with overlap, tiles without the object are gated out.</source>
        <translation>Ansicht: Der Bereich wird in eine Modelleingabe umgerechnet (behält den Kontext).
Gekachelt: Kacheln in nativer Auflösung mit Überlappung; Kacheln ohne das Objekt werden herausgefiltert.</translation>
    </message>
    <message>
        <source>Which part of the raster to segment</source>
        <translation>Welcher Teil des Rasters segmentiert wird</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>Run the query (Enter)</source>
        <translation>Die Abfrage ausführen (Eingabe)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running query (Esc)</source>
        <translation>Die laufende Abfrage anhalten (Esc)</translation>
    </message>
    <message>
        <source>Visible extent</source>
        <translation>Sichtbarer Ausschnitt</translation>
    </message>
    <message>
        <source>Drawn rectangle</source>
        <translation>Gezeichnetes Rechteck</translation>
    </message>
    <message>
        <source>Whole raster</source>
        <translation>Ganzes Raster</translation>
    </message>
</context>
<context>
    <name>rsrefseg::QueryController</name>
    <message>
        <source>Query</source>
        <translation>Abfrage</translation>
    </message>
    <message>
        <source>loading the model… %1 %</source>
        <translation>Modell wird geladen… %1 %</translation>
    </message>
    <message>
        <source>No raster</source>
        <translation>Kein Raster</translation>
    </message>
    <message>
        <source>Open a raster before running a query.</source>
        <translation>Öffnen Sie ein Raster, bevor Sie eine Abfrage ausführen.</translation>
    </message>
    <message>
        <source>No rectangle</source>
        <translation>Kein Rechteck</translation>
    </message>
    <message>
        <source>Draw a rectangle on the map first (Map &gt; Draw Query Rectangle).</source>
        <translation>Zeichnen Sie zuerst ein Rechteck auf der Karte (Karte &gt; Abfrage-Rechteck zeichnen).</translation>
    </message>
    <message>
        <source>Cannot run the query</source>
        <translation>Die Abfrage kann nicht ausgeführt werden</translation>
    </message>
    <message>
        <source>waiting for the model</source>
        <translation>Warten auf das Modell</translation>
    </message>
    <message>
        <source>tile %1 of %2</source>
        <translation>Kachel %1 von %2</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>Kacheln</translation>
    </message>
    <message>
        <source>finishing</source>
        <translation>wird abgeschlossen</translation>
    </message>
    <message>
        <source>Query finished</source>
        <translation>Abfrage abgeschlossen</translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot;: %n polygon(s) in %2 s</source>
        <translation>
            <numerusform>„%1“: %n Polygon in %2 s</numerusform>
            <numerusform>„%1“: %n Polygone in %2 s</numerusform>
        </translation>
    </message>
    <message>
        <source>Query failed</source>
        <translation>Abfrage fehlgeschlagen</translation>
    </message>
    <message>
        <source>Query cancelled</source>
        <translation>Abfrage abgebrochen</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RasterLayer</name>
    <message>
        <source>none (pixel coordinates)</source>
        <translation>keines (Pixelkoordinaten)</translation>
    </message>
    <message>
        <source>File: %1
Size: %2 x %3 pixels, %4 band(s)
CRS: %5
Pixel size: %6 x %7 %8
Bands shown: %9</source>
        <translation>Datei: %1
Größe: %2 x %3 Pixel, %4 Kanal/Kanäle
KBS: %5
Pixelgröße: %6 x %7 %8
Angezeigte Kanäle: %9</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RasterOpenJob</name>
    <message>
        <source>reading metadata</source>
        <translation>Metadaten werden gelesen</translation>
    </message>
    <message>
        <source>computing the contrast stretch</source>
        <translation>Kontraststreckung wird berechnet</translation>
    </message>
    <message>
        <source>building overviews</source>
        <translation>Übersichten werden erstellt</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RecentFilesMenu</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>Keine zuletzt geöffneten Dateien</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>Liste &amp;leeren</translation>
    </message>
</context>
<context>
    <name>rsrefseg::ResultLayer</name>
    <message>
        <source>Query: %1</source>
        <translation>Abfrage: %1</translation>
    </message>
    <message>
        <source>Mode: %1</source>
        <translation>Modus: %1</translation>
    </message>
    <message>
        <source>view (one model input)</source>
        <translation>Ansicht (eine Modelleingabe)</translation>
    </message>
    <message>
        <source>tiled (%1 px tiles, %2 px overlap)</source>
        <translation>gekachelt (%1-px-Kacheln, %2 px Überlappung)</translation>
    </message>
    <message>
        <source>Created: %1</source>
        <translation>Erstellt: %1</translation>
    </message>
    <message>
        <source>Size: %1 x %2 pixels</source>
        <translation>Größe: %1 x %2 Pixel</translation>
    </message>
    <message>
        <source>Model: %1%2</source>
        <translation>Modell: %1%2</translation>
    </message>
    <message>
        <source> (UNTRAINED)</source>
        <translation> (UNTRAINIERT)</translation>
    </message>
    <message>
        <source>Running: %1 of %2 tiles</source>
        <translation>Läuft: %1 von %2 Kacheln</translation>
    </message>
    <message>
        <source>Time: %1 s</source>
        <translation>Zeit: %1 s</translation>
    </message>
    <message>
        <source>Polygons: %1</source>
        <translation>Polygone: %1</translation>
    </message>
    <message>
        <source>Area: %1 m²</source>
        <translation>Fläche: %1 m²</translation>
    </message>
    <message>
        <source>Area: %1 square map units</source>
        <translation>Fläche: %1 Quadrat-Karteneinheiten</translation>
    </message>
    <message>
        <source>Object pixels: %1</source>
        <translation>Objektpixel: %1</translation>
    </message>
    <message>
        <source>Tiles: %1 (%2 encoded, %3 from the cache)</source>
        <translation>Kacheln: %1 (%2 kodiert, %3 aus dem Cache)</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
</context>
<context>
    <name>rsrefseg::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>the bundled model</source>
        <translation>das mitgelieferte Modell</translation>
    </message>
    <message>
        <source>Choose a model bundle folder (made with &apos;rsrefseg model import&apos;)</source>
        <translation>Einen Modellpaket-Ordner wählen (erstellt mit „rsrefseg model import“)</translation>
    </message>
    <message>
        <source>Model bundle:</source>
        <translation>Modellpaket:</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>32-bit float (exact)</source>
        <translation>32-Bit-Gleitkomma (exakt)</translation>
    </message>
    <message>
        <source>bfloat16 (faster on recent CPUs)</source>
        <translation>bfloat16 (schneller auf neueren CPUs)</translation>
    </message>
    <message>
        <source>float16 (GPU only)</source>
        <translation>float16 (nur GPU)</translation>
    </message>
    <message>
        <source>Number type:</source>
        <translation>Zahlentyp:</translation>
    </message>
    <message>
        <source>automatic (%1)</source>
        <translation>automatisch (%1)</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <source>Segmentation</source>
        <translation>Segmentierung</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Tiled mode: native pixels per tile side</source>
        <translation>Gekachelter Modus: native Pixel je Kachelseite</translation>
    </message>
    <message>
        <source>Tile size:</source>
        <translation>Kachelgröße:</translation>
    </message>
    <message>
        <source>Pixels shared by neighbouring tiles (blended without seams)</source>
        <translation>Von benachbarten Kacheln geteilte Pixel (nahtlos überblendet)</translation>
    </message>
    <message>
        <source>Overlap:</source>
        <translation>Überlappung:</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>Tiles whose relevance (SigLIP&apos;s best patch match) is below this get no mask</source>
        <translation>Kacheln mit geringerer Relevanz (beste Patch-Übereinstimmung von SigLIP) erhalten keine Maske</translation>
    </message>
    <message>
        <source>Gate threshold:</source>
        <translation>Filterschwelle:</translation>
    </message>
    <message>
        <source>Embedding cache</source>
        <translation>Merkmals-Cache</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>no memory cache</source>
        <translation>kein Speicher-Cache</translation>
    </message>
    <message>
        <source>Memory budget:</source>
        <translation>Speicherbudget:</translation>
    </message>
    <message>
        <source>memory only</source>
        <translation>nur Speicher</translation>
    </message>
    <message>
        <source>Disk cache folder:</source>
        <translation>Cache-Ordner auf der Festplatte:</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Oberfläche</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>A new language applies when the application restarts.</source>
        <translation>Eine neue Sprache gilt nach einem Neustart der Anwendung.</translation>
    </message>
    <message>
        <source>Model Bundle</source>
        <translation>Modellpaket</translation>
    </message>
    <message>
        <source>Cache Folder</source>
        <translation>Cache-Ordner</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>trainiert</translation>
    </message>
    <message>
        <source>UNTRAINED: masks are meaningless</source>
        <translation>UNTRAINIERT: Masken sind bedeutungslos</translation>
    </message>
    <message>
        <source>CUDA GPU %1</source>
        <translation>CUDA-GPU %1</translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation>%1 (nicht verfügbar)</translation>
    </message>
</context>
<context>
    <name>rsrefseg::TileGridPainter</name>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>segmented</source>
        <translation>segmentiert</translation>
    </message>
    <message>
        <source>segmented (cached features)</source>
        <translation>segmentiert (Merkmale aus dem Cache)</translation>
    </message>
    <message>
        <source>gated out</source>
        <translation>herausgefiltert</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>keine Daten</translation>
    </message>
</context>
<context>
    <name>rsrefseg::TileInspector</name>
    <message>
        <source>Choose the Inspect Tile tool and click a tile of a result layer to see its image, activation heat map, mask and scores.</source>
        <translation>Wählen Sie das Werkzeug „Kachel untersuchen“ und klicken Sie auf eine Kachel eines Ergebnis-Layers, um Bild, Aktivierungs-Heatmap, Maske und Werte zu sehen.</translation>
    </message>
    <message>
        <source>Tile</source>
        <translation>Kachel</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>Aktivierung</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>Activation (sigmoid)</source>
        <translation>Aktivierung (Sigmoid)</translation>
    </message>
    <message>
        <source>Overlay on the tile</source>
        <translation>Über der Kachel anzeigen</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Relevance</source>
        <translation>Relevanz</translation>
    </message>
    <message>
        <source>IoU prediction</source>
        <translation>IoU-Vorhersage</translation>
    </message>
    <message>
        <source>Image features</source>
        <translation>Bildmerkmale</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lesen</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>Bildencoder</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>Decoder</translation>
    </message>
    <message>
        <source>Object pixels</source>
        <translation>Objektpixel</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>Pixel</translation>
    </message>
    <message>
        <source>Tile r%1c%2 (id %3)</source>
        <translation>Kachel r%1c%2 (ID %3)</translation>
    </message>
    <message>
        <source>View (the whole area as one model input)</source>
        <translation>Ansicht (der ganze Bereich als eine Modelleingabe)</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>segmented</source>
        <translation>segmentiert</translation>
    </message>
    <message>
        <source>segmented (image features from the cache)</source>
        <translation>segmentiert (Bildmerkmale aus dem Cache)</translation>
    </message>
    <message>
        <source>gated out: relevance below the gate threshold</source>
        <translation>herausgefiltert: Relevanz unter der Filterschwelle</translation>
    </message>
    <message>
        <source>no data: not read into the model</source>
        <translation>keine Daten: nicht ins Modell gelesen</translation>
    </message>
    <message>
        <source>%1 (gate threshold %2)</source>
        <translation>%1 (Filterschwelle %2)</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>nicht verwendet</translation>
    </message>
    <message>
        <source>computed now (cache miss)</source>
        <translation>jetzt berechnet (Cache-Fehltreffer)</translation>
    </message>
    <message>
        <source>from the memory cache</source>
        <translation>aus dem Speicher-Cache</translation>
    </message>
    <message>
        <source>from the disk cache</source>
        <translation>aus dem Festplatten-Cache</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>aus dem Cache</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>x %1, y %2, %3 x %4</source>
        <translation>x %1, y %2, %3 x %4</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>wird gelesen…</translation>
    </message>
</context>
</TS>
