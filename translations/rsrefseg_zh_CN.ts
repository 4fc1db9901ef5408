<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>main</name>
    <message>
        <source>Segments what a sentence describes in remote-sensing rasters.</source>
        <translation>分割遥感栅格中由一句话所描述的目标。</translation>
    </message>
    <message>
        <source>Rasters to open.</source>
        <translation>要打开的栅格。</translation>
    </message>
    <message>
        <source>Interface language: en, zh_CN, de or system.</source>
        <translation>界面语言：en、zh_CN、de 或 system。</translation>
    </message>
    <message>
        <source>Read and write settings in this INI file.</source>
        <translation>在此 INI 文件中读写设置。</translation>
    </message>
    <message>
        <source>Time start-up, the first drawn view of RASTER and two queries on it; print JSON and quit.</source>
        <translation>计时启动、RASTER 的首次绘制视图及其上的两次查询；输出 JSON 后退出。</translation>
    </message>
    <message>
        <source>With --benchmark: use seeded random weights of this architecture (rsrefseg-b, or a bundle folder) instead of the model bundle.</source>
        <translation>与 --benchmark 一起使用：以此架构（rsrefseg-b 或模型包文件夹）的固定种子随机权重代替模型包。</translation>
    </message>
    <message>
        <source>With --benchmark-random-weights: the SigLIP spiece.model.</source>
        <translation>与 --benchmark-random-weights 一起使用：SigLIP 的 spiece.model。</translation>
    </message>
    <message>
        <source>With --benchmark: f32 or bf16 (f16 on GPUs).</source>
        <translation>与 --benchmark 一起使用：f32 或 bf16（GPU 上可用 f16）。</translation>
    </message>
</context>
<context>
    <name>rsrefseg::BatchDialog</name>
    <message>
        <source>Batch Segmentation</source>
        <translation>批量分割</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Raster folder:</source>
        <translation>栅格文件夹：</translation>
    </message>
    <message>
        <source>Comma-separated file name patterns (case-insensitive)</source>
        <translation>以逗号分隔的文件名模式（不区分大小写）</translation>
    </message>
    <message>
        <source>File patterns:</source>
        <translation>文件模式：</translation>
    </message>
    <message>
        <source>Include sub-folders</source>
        <translation>包含子文件夹</translation>
    </message>
    <message>
        <source>One query per line, e.g.
the white storage tanks
the planes on the apron</source>
        <translation>每行一个查询，例如：
白色储罐
停机坪上的飞机</translation>
    </message>
    <message>
        <source>Load…</source>
        <translation>加载…</translation>
    </message>
    <message>
        <source>Read the queries from a text file (one per line, # starts a comment)</source>
        <translation>从文本文件读取查询（每行一个，# 开头为注释）</translation>
    </message>
    <message>
        <source>Queries:</source>
        <translation>查询：</translation>
    </message>
    <message>
        <source>Tiled (native resolution)</source>
        <translation>分块（原始分辨率）</translation>
    </message>
    <message>
        <source>View (whole raster as one input)</source>
        <translation>视图（整幅栅格作为一个输入）</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Mask GeoTIFF</source>
        <translation>掩膜 GeoTIFF</translation>
    </message>
    <message>
        <source>Probability GeoTIFF</source>
        <translation>概率 GeoTIFF</translation>
    </message>
    <message>
        <source>No polygons</source>
        <translation>不输出多边形</translation>
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
        <translation>格式：</translation>
    </message>
    <message>
        <source>Resume: skip what an earlier run finished</source>
        <translation>续跑：跳过之前已完成的部分</translation>
    </message>
    <message>
        <source>Replace existing files</source>
        <translation>替换已有文件</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Cancel Batch</source>
        <translation>取消批处理</translation>
    </message>
    <message>
        <source>Raster Folder</source>
        <translation>栅格文件夹</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Load Queries</source>
        <translation>加载查询</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose an existing raster folder.</source>
        <translation>请选择一个已存在的栅格文件夹。</translation>
    </message>
    <message>
        <source>Enter at least one query.</source>
        <translation>请至少输入一个查询。</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>请选择输出文件夹。</translation>
    </message>
    <message>
        <source>Choose at least one output format.</source>
        <translation>请至少选择一种输出格式。</translation>
    </message>
    <message numerus="yes">
        <source>batch queued: %n query(s)</source>
        <translation>
            <numerusform>已加入批处理队列：%n 个查询</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 raster(s), %2 item(s): %3 done, %4 failed, %5 skipped (already done)</source>
        <translation>%1 个栅格，%2 项：%3 项完成，%4 项失败，%5 项跳过（已完成）</translation>
    </message>
    <message>
        <source>manifest: %1</source>
        <translation>清单：%1</translation>
    </message>
</context>
<context>
    <name>rsrefseg::CoordinateFormatter</name>
    <message>
        <source>pixel coordinates</source>
        <translation>像素坐标</translation>
    </message>
    <message>
        <source>%1°%2, %3°%4</source>
        <translation>%1°%2，%3°%4</translation>
    </message>
    <message>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <source>E</source>
        <translation>E</translation>
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
        <translation>列 %1，行 %2</translation>
    </message>
</context>
<context>
    <name>rsrefseg::ExportDialog</name>
    <message>
        <source>Export Result — %1</source>
        <translation>导出结果 — %1</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Mask GeoTIFF</source>
        <translation>掩膜 GeoTIFF</translation>
    </message>
    <message>
        <source>Probability GeoTIFF</source>
        <translation>概率 GeoTIFF</translation>
    </message>
    <message>
        <source>8-bit (0-254)</source>
        <translation>8 位（0-254）</translation>
    </message>
    <message>
        <source>32-bit float</source>
        <translation>32 位浮点</translation>
    </message>
    <message>
        <source>Polygons</source>
        <translation>多边形</translation>
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
        <translation>后处理</translation>
    </message>
    <message>
        <source>one pixel (default)</source>
        <translation>一个像素（默认）</translation>
    </message>
    <message>
        <source>Douglas-Peucker tolerance in map units (topology preserving); 0 keeps every vertex.</source>
        <translation>以地图单位表示的 Douglas-Peucker 容差（保持拓扑）；0 保留所有顶点。</translation>
    </message>
    <message>
        <source>Simplification tolerance:</source>
        <translation>简化容差：</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>m²</source>
        <translation>平方米</translation>
    </message>
    <message>
        <source>Objects smaller than this are removed (0 keeps all).</source>
        <translation>小于此面积的对象将被移除（0 表示全部保留）。</translation>
    </message>
    <message>
        <source>Holes smaller than this are filled (0 fills none).</source>
        <translation>小于此面积的孔洞将被填充（0 表示不填充）。</translation>
    </message>
    <message>
        <source>Minimum object area:</source>
        <translation>最小对象面积：</translation>
    </message>
    <message>
        <source>Fill holes smaller than:</source>
        <translation>填充小于此面积的孔洞：</translation>
    </message>
    <message>
        <source>Replace existing files</source>
        <translation>替换已有文件</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>取消导出</translation>
    </message>
    <message>
        <source>GeoTIFF (*.tif *.tiff)</source>
        <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
        <source>Export To</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Choose at least one output.</source>
        <translation>请至少选择一个输出。</translation>
    </message>
    <message>
        <source>export of &quot;%1&quot; queued</source>
        <translation>“%1”的导出已加入队列</translation>
    </message>
    <message>
        <source>output: %1</source>
        <translation>输出：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n polygon(s) written</source>
        <translation>
            <numerusform>已写入 %n 个多边形</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rsrefseg::JobProgressPanel</name>
    <message>
        <source>The job&apos;s log appears here.</source>
        <translation>任务日志显示在这里。</translation>
    </message>
    <message>
        <source>started</source>
        <translation>已开始</translation>
    </message>
    <message>
        <source>loading the model %1</source>
        <translation>正在加载模型 %1</translation>
    </message>
    <message>
        <source>Done in %1 s</source>
        <translation>%1 秒内完成</translation>
    </message>
    <message>
        <source>done in %1 s</source>
        <translation>%1 秒内完成</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>cancelled: nothing was written</source>
        <translation>已取消：未写入任何文件</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>瓦片</translation>
    </message>
    <message>
        <source>view</source>
        <translation>视图</translation>
    </message>
    <message>
        <source>connected components</source>
        <translation>连通区域</translation>
    </message>
    <message>
        <source>polygons</source>
        <translation>多边形</translation>
    </message>
    <message>
        <source>removing small objects</source>
        <translation>正在移除小对象</translation>
    </message>
    <message>
        <source>filling holes</source>
        <translation>正在填充孔洞</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerPropertiesWidget</name>
    <message>
        <source>Change the result colour</source>
        <translation>更改结果颜色</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>颜色：</translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation>不透明度：</translation>
    </message>
    <message>
        <source>No layer selected.</source>
        <translation>未选择图层。</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerTreeModel</name>
    <message>
        <source>%1 (running…)</source>
        <translation>%1（运行中…）</translation>
    </message>
</context>
<context>
    <name>rsrefseg::LayerTreeView</name>
    <message>
        <source>Result Colour</source>
        <translation>结果颜色</translation>
    </message>
    <message>
        <source>&amp;Zoom to Layer</source>
        <translation>缩放至图层(&amp;Z)</translation>
    </message>
    <message>
        <source>Show &amp;Tile Grid</source>
        <translation>显示瓦片网格(&amp;T)</translation>
    </message>
    <message>
        <source>Change &amp;Colour…</source>
        <translation>更改颜色(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>重命名(&amp;R)</translation>
    </message>
    <message>
        <source>Move &amp;Up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move &amp;Down</source>
        <translation>下移(&amp;D)</translation>
    </message>
    <message>
        <source>Re&amp;move Layer</source>
        <translation>移除图层(&amp;M)</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MainWindow</name>
    <message>
        <source>&amp;Open Raster…</source>
        <translation>打开栅格(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a raster (GeoTIFF, JPEG2000, VRT, PNG, …)</source>
        <translation>打开栅格（GeoTIFF、JPEG2000、VRT、PNG 等）</translation>
    </message>
    <message>
        <source>&amp;Export Result…</source>
        <translation>导出结果(&amp;E)…</translation>
    </message>
    <message>
        <source>Write the selected result as GeoTIFF and polygons</source>
        <translation>将所选结果写出为 GeoTIFF 和多边形</translation>
    </message>
    <message>
        <source>&amp;Batch…</source>
        <translation>批处理(&amp;B)…</translation>
    </message>
    <message>
        <source>Segment a folder of rasters with a list of queries</source>
        <translation>用一组查询分割整个文件夹中的栅格</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Model, device, tiles, cache and language</source>
        <translation>模型、设备、瓦片、缓存与语言</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit the application</source>
        <translation>退出应用程序</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom &amp;Full</source>
        <translation>全图显示(&amp;F)</translation>
    </message>
    <message>
        <source>Show every layer</source>
        <translation>显示所有图层</translation>
    </message>
    <message>
        <source>Zoom to &amp;Layer</source>
        <translation>缩放至图层(&amp;L)</translation>
    </message>
    <message>
        <source>Show the selected layer</source>
        <translation>显示所选图层</translation>
    </message>
    <message>
        <source>&amp;Pan</source>
        <translation>平移(&amp;P)</translation>
    </message>
    <message>
        <source>Pan the map by dragging</source>
        <translation>拖动以平移地图</translation>
    </message>
    <message>
        <source>&amp;Inspect Tile</source>
        <translation>检查瓦片(&amp;I)</translation>
    </message>
    <message>
        <source>Click a tile of a result to see why it fired</source>
        <translation>点击结果中的瓦片，查看它为何被触发</translation>
    </message>
    <message>
        <source>&amp;Draw Query Rectangle</source>
        <translation>绘制查询矩形(&amp;D)</translation>
    </message>
    <message>
        <source>Drag a rectangle to segment only that area</source>
        <translation>拖出一个矩形，仅分割该区域</translation>
    </message>
    <message>
        <source>&amp;Clear Query Rectangle</source>
        <translation>清除查询矩形(&amp;C)</translation>
    </message>
    <message>
        <source>Forget the drawn rectangle</source>
        <translation>清除已绘制的矩形</translation>
    </message>
    <message>
        <source>Tile &amp;Grid</source>
        <translation>瓦片网格(&amp;G)</translation>
    </message>
    <message>
        <source>Show the tiles of the selected result by state</source>
        <translation>按状态显示所选结果的瓦片</translation>
    </message>
    <message>
        <source>&amp;Run Query</source>
        <translation>运行查询(&amp;R)</translation>
    </message>
    <message>
        <source>Segment what the query describes</source>
        <translation>分割查询所描述的目标</translation>
    </message>
    <message>
        <source>&amp;Cancel Query</source>
        <translation>取消查询(&amp;C)</translation>
    </message>
    <message>
        <source>Stop the running query</source>
        <translation>停止正在运行的查询</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Type a new query</source>
        <translation>输入新的查询</translation>
    </message>
    <message>
        <source>&amp;Remove Layer</source>
        <translation>移除图层(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the selected layer</source>
        <translation>移除所选图层</translation>
    </message>
    <message>
        <source>&amp;About RSRefSeg Desktop</source>
        <translation>关于 RSRefSeg Desktop(&amp;A)</translation>
    </message>
    <message>
        <source>About this application</source>
        <translation>关于本应用程序</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Tile Inspector</source>
        <translation>瓦片检查器</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Map</source>
        <translation>地图(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Query</source>
        <translation>查询(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>About RSRefSeg Desktop</source>
        <translation>关于 RSRefSeg Desktop</translation>
    </message>
    <message>
        <source>&lt;h3&gt;RSRefSeg Desktop %1&lt;/h3&gt;&lt;p&gt;Segments what a sentence describes in georeferenced remote-sensing rasters.&lt;/p&gt;&lt;p&gt;Model: RSRefSeg (Chen et al., 2025, arXiv:2501.06809): SigLIP + SAM with LoRA, in LibTorch.&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;RSRefSeg Desktop %1&lt;/h3&gt;&lt;p&gt;分割地理参考遥感栅格中由一句话所描述的目标。&lt;/p&gt;&lt;p&gt;模型：RSRefSeg（Chen 等，2025，arXiv:2501.06809）：SigLIP + SAM，采用 LoRA 微调，基于 LibTorch 实现。&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Drawing the map</source>
        <translation>绘制地图</translation>
    </message>
    <message>
        <source>Rectangle set: the next query with &apos;Drawn rectangle&apos; uses it.</source>
        <translation>矩形已设置：下一次选择“绘制的矩形”的查询将使用它。</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>loaded in %1 s</source>
        <translation>%1 秒内加载完成</translation>
    </message>
    <message>
        <source>Untrained model</source>
        <translation>未训练的模型</translation>
    </message>
    <message>
        <source>%1 is not a trained model: its masks are meaningless. It is bundled so that the application works out of the box; import real weights with &apos;rsrefseg model import&apos; and choose them in Settings.</source>
        <translation>%1 不是训练过的模型：它生成的掩膜没有意义。随附它只是为了让应用程序开箱即用；请用“rsrefseg model import”导入真实权重，并在设置中选择。</translation>
    </message>
    <message>
        <source>not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <source>Cannot load the model</source>
        <translation>无法加载模型</translation>
    </message>
    <message>
        <source>Model bundle: %1
Choose another one in Settings &gt; Model.</source>
        <translation>模型包：%1
请在“设置 &gt; 模型”中选择其他模型包。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>loads with the first query</source>
        <translation>在第一次查询时加载</translation>
    </message>
    <message>
        <source>UNTRAINED model</source>
        <translation>未训练模型</translation>
    </message>
    <message>
        <source>Open Raster</source>
        <translation>打开栅格</translation>
    </message>
    <message>
        <source>Rasters (*.tif *.tiff *.jp2 *.vrt *.img *.png *.jpg *.jpeg);;All files (*)</source>
        <translation>栅格 (*.tif *.tiff *.jp2 *.vrt *.img *.png *.jpg *.jpeg);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Opening %1: %2 (%3 %)</source>
        <translation>正在打开 %1：%2（%3%）</translation>
    </message>
    <message>
        <source>No georeference</source>
        <translation>无地理参考</translation>
    </message>
    <message>
        <source>%1 has no coordinate reference system: coordinates are pixels and outputs overlay the image in QGIS without a CRS.</source>
        <translation>%1 没有坐标参考系：坐标为像素坐标，输出结果在 QGIS 中无 CRS 地叠加在图像上。</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language applies when the application restarts.</source>
        <translation>新语言将在应用程序重启后生效。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Select a finished result layer first.</source>
        <translation>请先选择一个已完成的结果图层。</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>导出完成</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MapCanvas</name>
    <message>
        <source>Open a raster with File &gt; Open Raster (Ctrl+O)
or drop one here.</source>
        <translation>通过“文件 &gt; 打开栅格”（Ctrl+O）打开栅格，
或将栅格拖放到这里。</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MapStatusBar</name>
    <message>
        <source>Map coordinates in the raster&apos;s coordinate reference system</source>
        <translation>栅格坐标参考系下的地图坐标</translation>
    </message>
    <message>
        <source>Longitude and latitude (WGS 84)</source>
        <translation>经度和纬度（WGS 84）</translation>
    </message>
    <message>
        <source>Raster pixel (column, row from the top-left corner)</source>
        <translation>栅格像素（自左上角起的列、行）</translation>
    </message>
    <message>
        <source>Map scale</source>
        <translation>地图比例尺</translation>
    </message>
    <message>
        <source>The segmentation model</source>
        <translation>分割模型</translation>
    </message>
    <message>
        <source>%1 px/px</source>
        <translation>%1 像素/屏幕像素</translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation>渲染中…</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>UNTRAINED</source>
        <translation>未训练</translation>
    </message>
    <message>
        <source>This model bundle is not trained: its masks are meaningless. Import trained weights with &apos;rsrefseg model import&apos; and choose them in Settings.</source>
        <translation>此模型包未经训练：其掩膜没有意义。请用“rsrefseg model import”导入训练好的权重，并在设置中选择。</translation>
    </message>
</context>
<context>
    <name>rsrefseg::MessageBar</name>
    <message>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <source>Close this message</source>
        <translation>关闭此消息</translation>
    </message>
    <message numerus="yes">
        <source>%n more</source>
        <translation>
            <numerusform>另有 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rsrefseg::BundleStatus</name>
    <message>
        <source>No model bundle was found.</source>
        <translation>未找到模型包。</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <source>%1 is not valid JSON: %2</source>
        <translation>%1 不是有效的 JSON：%2</translation>
    </message>
</context>
<context>
    <name>rsrefseg::QueryBar</name>
    <message>
        <source>&amp;Find:</source>
        <translation>查找(&amp;F)：</translation>
    </message>
    <message>
        <source>Describe what to segment, e.g. &quot;the white storage tanks left of the road&quot;</source>
        <translation>描述要分割的目标，例如“道路左侧的白色储罐”</translation>
    </message>
    <message>
        <source>Type a sentence and press Enter. Earlier queries are in the list.</source>
        <translation>输入一句话并按回车。以前的查询在下拉列表中。</translation>
    </message>
    <message>
        <source>View</source>
        <translation>视图</translation>
    </message>
    <message>
        <source>Tiled</source>
        <translation>分块</translation>
    </message>
    <message>
        <source>View: the area is resampled into one model input (keeps context).
Tiled: native-resolution tiles with overlap, tiles without the object are gated out.</source>
        <translation>视图：将区域重采样为一个模型输入（保留上下文）。
分块：原始分辨率的重叠瓦片，不含目标的瓦片会被门控排除。</translation>
    </message>
    <message>
        <source>Which part of the raster to segment</source>
        <translation>要分割栅格的哪一部分</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the query (Enter)</source>
        <translation>运行查询（回车）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running query (Esc)</source>
        <translation>停止正在运行的查询（Esc）</translation>
    </message>
    <message>
        <source>Visible extent</source>
        <translation>可见范围</translation>
    </message>
    <message>
        <source>Drawn rectangle</source>
        <translation>绘制的矩形</translation>
    </message>
    <message>
        <source>Whole raster</source>
        <translation>整幅栅格</translation>
    </message>
</context>
<context>
    <name>rsrefseg::QueryController</name>
    <message>
        <source>Query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>loading the model… %1 %</source>
        <translation>正在加载模型… %1%</translation>
    </message>
    <message>
        <source>No raster</source>
        <translation>没有栅格</translation>
    </message>
    <message>
        <source>Open a raster before running a query.</source>
        <translation>请先打开一个栅格，再运行查询。</translation>
    </message>
    <message>
        <source>No rectangle</source>
        <translation>没有矩形</translation>
    </message>
    <message>
        <source>Draw a rectangle on the map first (Map &gt; Draw Query Rectangle).</source>
        <translation>请先在地图上绘制矩形（地图 &gt; 绘制查询矩形）。</translation>
    </message>
    <message>
        <source>Cannot run the query</source>
        <translation>无法运行查询</translation>
    </message>
    <message>
        <source>waiting for the model</source>
        <translation>等待模型</translation>
    </message>
    <message>
        <source>tile %1 of %2</source>
        <translation>第 %1 / %2 个瓦片</translation>
    </message>
    <message>
        <source>tiles</source>
        <translation>瓦片</translation>
    </message>
    <message>
        <source>finishing</source>
        <translation>正在完成</translation>
    </message>
    <message>
        <source>Query finished</source>
        <translation>查询完成</translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot;: %n polygon(s) in %2 s</source>
        <translation>
            <numerusform>“%1”：%2 秒内得到 %n 个多边形</numerusform>
        </translation>
    </message>
    <message>
        <source>Query failed</source>
        <translation>查询失败</translation>
    </message>
    <message>
        <source>Query cancelled</source>
        <translation>查询已取消</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RasterLayer</name>
    <message>
        <source>none (pixel coordinates)</source>
        <translation>无（像素坐标）</translation>
    </message>
    <message>
        <source>File: %1
Size: %2 x %3 pixels, %4 band(s)
CRS: %5
Pixel size: %6 x %7 %8
Bands shown: %9</source>
        <translation>文件：%1
大小：%2 x %3 像素，%4 个波段
CRS：%5
像素大小：%6 x %7 %8
显示的波段：%9</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RasterOpenJob</name>
    <message>
        <source>reading metadata</source>
        <translation>正在读取元数据</translation>
    </message>
    <message>
        <source>computing the contrast stretch</source>
        <translation>正在计算对比度拉伸</translation>
    </message>
    <message>
        <source>building overviews</source>
        <translation>正在构建金字塔</translation>
    </message>
</context>
<context>
    <name>rsrefseg::RecentFilesMenu</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>没有最近的文件</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>清空列表(&amp;C)</translation>
    </message>
</context>
<context>
    <name>rsrefseg::ResultLayer</name>
    <message>
        <source>Query: %1</source>
        <translation>查询：%1</translation>
    </message>
    <message>
        <source>Mode: %1</source>
        <translation>模式：%1</translation>
    </message>
    <message>
        <source>view (one model input)</source>
        <translation>视图（一个模型输入）</translation>
    </message>
    <message>
        <source>tiled (%1 px tiles, %2 px overlap)</source>
        <translation>分块（%1 像素瓦片，%2 像素重叠）</translation>
    </message>
    <message>
        <source>Created: %1</source>
        <translation>创建于：%1</translation>
    </message>
    <message>
        <source>Size: %1 x %2 pixels</source>
        <translation>大小：%1 x %2 像素</translation>
    </message>
    <message>
        <source>Model: %1%2</source>
        <translation>模型：%1%2</translation>
    </message>
    <message>
        <source> (UNTRAINED)</source>
        <translation>（未训练）</translation>
    </message>
    <message>
        <source>Running: %1 of %2 tiles</source>
        <translation>运行中：%1 / %2 个瓦片</translation>
    </message>
    <message>
        <source>Time: %1 s</source>
        <translation>用时：%1 秒</translation>
    </message>
    <message>
        <source>Polygons: %1</source>
        <translation>多边形：%1</translation>
    </message>
    <message>
        <source>Area: %1 m²</source>
        <translation>面积：%1 平方米</translation>
    </message>
    <message>
        <source>Area: %1 square map units</source>
        <translation>面积：%1 平方地图单位</translation>
    </message>
    <message>
        <source>Object pixels: %1</source>
        <translation>目标像素：%1</translation>
    </message>
    <message>
        <source>Tiles: %1 (%2 encoded, %3 from the cache)</source>
        <translation>瓦片：%1（编码 %2 个，缓存命中 %3 个）</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
</context>
<context>
    <name>rsrefseg::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>the bundled model</source>
        <translation>随附的模型</translation>
    </message>
    <message>
        <source>Choose a model bundle folder (made with &apos;rsrefseg model import&apos;)</source>
        <translation>选择一个模型包文件夹（由“rsrefseg model import”生成）</translation>
    </message>
    <message>
        <source>Model bundle:</source>
        <translation>模型包：</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>32-bit float (exact)</source>
        <translation>32 位浮点（精确）</translation>
    </message>
    <message>
        <source>bfloat16 (faster on recent CPUs)</source>
        <translation>bfloat16（在较新的 CPU 上更快）</translation>
    </message>
    <message>
        <source>float16 (GPU only)</source>
        <translation>float16（仅限 GPU）</translation>
    </message>
    <message>
        <source>Number type:</source>
        <translation>数值类型：</translation>
    </message>
    <message>
        <source>automatic (%1)</source>
        <translation>自动（%1）</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <source>Segmentation</source>
        <translation>分割</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Tiled mode: native pixels per tile side</source>
        <translation>分块模式：每个瓦片边长的原始像素数</translation>
    </message>
    <message>
        <source>Tile size:</source>
        <translation>瓦片大小：</translation>
    </message>
    <message>
        <source>Pixels shared by neighbouring tiles (blended without seams)</source>
        <translation>相邻瓦片共享的像素（无缝融合）</translation>
    </message>
    <message>
        <source>Overlap:</source>
        <translation>重叠：</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Tiles whose relevance (SigLIP&apos;s best patch match) is below this get no mask</source>
        <translation>相关度（SigLIP 最佳图块匹配）低于此值的瓦片不生成掩膜</translation>
    </message>
    <message>
        <source>Gate threshold:</source>
        <translation>门控阈值：</translation>
    </message>
    <message>
        <source>Embedding cache</source>
        <translation>特征缓存</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>no memory cache</source>
        <translation>不使用内存缓存</translation>
    </message>
    <message>
        <source>Memory budget:</source>
        <translation>内存预算：</translation>
    </message>
    <message>
        <source>memory only</source>
        <translation>仅内存</translation>
    </message>
    <message>
        <source>Disk cache folder:</source>
        <translation>磁盘缓存文件夹：</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new language applies when the application restarts.</source>
        <translation>新语言将在应用程序重启后生效。</translation>
    </message>
    <message>
        <source>Model Bundle</source>
        <translation>模型包</translation>
    </message>
    <message>
        <source>Cache Folder</source>
        <translation>缓存文件夹</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>已训练</translation>
    </message>
    <message>
        <source>UNTRAINED: masks are meaningless</source>
        <translation>未训练：掩膜没有意义</translation>
    </message>
    <message>
        <source>CUDA GPU %1</source>
        <translation>CUDA GPU %1</translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation>%1（不可用）</translation>
    </message>
</context>
<context>
    <name>rsrefseg::TileGridPainter</name>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>segmented</source>
        <translation>已分割</translation>
    </message>
    <message>
        <source>segmented (cached features)</source>
        <translation>已分割（缓存特征）</translation>
    </message>
    <message>
        <source>gated out</source>
        <translation>已门控排除</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>rsrefseg::TileInspector</name>
    <message>
        <source>Choose the Inspect Tile tool and click a tile of a result layer to see its image, activation heat map, mask and scores.</source>
        <translation>选择“检查瓦片”工具并点击结果图层中的瓦片，即可查看其图像、激活热力图、掩膜和得分。</translation>
    </message>
    <message>
        <source>Tile</source>
        <translation>瓦片</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>激活</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>掩膜</translation>
    </message>
    <message>
        <source>Activation (sigmoid)</source>
        <translation>激活（sigmoid）</translation>
    </message>
    <message>
        <source>Overlay on the tile</source>
        <translation>叠加在瓦片上</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Relevance</source>
        <translation>相关度</translation>
    </message>
    <message>
        <source>IoU prediction</source>
        <translation>IoU 预测</translation>
    </message>
    <message>
        <source>Image features</source>
        <translation>图像特征</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>读取</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>图像编码器</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>Object pixels</source>
        <translation>目标像素</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>像素范围</translation>
    </message>
    <message>
        <source>Tile r%1c%2 (id %3)</source>
        <translation>瓦片 r%1c%2（编号 %3）</translation>
    </message>
    <message>
        <source>View (the whole area as one model input)</source>
        <translation>视图（整个区域作为一个模型输入）</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>segmented</source>
        <translation>已分割</translation>
    </message>
    <message>
        <source>segmented (image features from the cache)</source>
        <translation>已分割（图像特征来自缓存）</translation>
    </message>
    <message>
        <source>gated out: relevance below the gate threshold</source>
        <translation>已门控排除：相关度低于门控阈值</translation>
    </message>
    <message>
        <source>no data: not read into the model</source>
        <translation>无数据：未送入模型</translation>
    </message>
    <message>
        <source>%1 (gate threshold %2)</source>
        <translation>%1（门控阈值 %2）</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>未使用</translation>
    </message>
    <message>
        <source>computed now (cache miss)</source>
        <translation>本次计算（缓存未命中）</translation>
    </message>
    <message>
        <source>from the memory cache</source>
        <translation>来自内存缓存</translation>
    </message>
    <message>
        <source>from the disk cache</source>
        <translation>来自磁盘缓存</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>cached</source>
        <translation>已缓存</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>x %1, y %2, %3 x %4</source>
        <translation>x %1，y %2，%3 x %4</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
</context>
</TS>
