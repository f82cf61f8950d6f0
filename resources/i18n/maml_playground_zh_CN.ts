<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Alpha MAML hypergradient lr</source>
        <translation>Alpha MAML 超梯度学习率</translation>
    </message>
    <message>
        <source>Alpha MAML: step size of the hypergradient update that learns α</source>
        <translation>Alpha MAML：学习 α 的超梯度更新的步长</translation>
    </message>
    <message>
        <source>scalar inner and outer learning rates adapted online by hypergradient descent</source>
        <translation>用超梯度下降在线调整标量的内循环和外循环学习率</translation>
    </message>
    <message>
        <source>MAML adapting only the network&apos;s last layer in the inner loop</source>
        <translation>内循环中只适应网络最后一层的 MAML</translation>
    </message>
    <message>
        <source>second-order meta-gradient through the inner SGD steps</source>
        <translation>穿过内循环 SGD 步的二阶元梯度</translation>
    </message>
    <message>
        <source>learned α ≈</source>
        <translation>学到的 α ≈</translation>
    </message>
    <message>
        <source>number of context parameters</source>
        <translation>上下文参数个数</translation>
    </message>
    <message>
        <source>CAVIA: context parameters fed to the network beside x</source>
        <translation>CAVIA：与 x 一起输入网络的上下文参数</translation>
    </message>
    <message>
        <source>CAVIA context lr</source>
        <translation>CAVIA 上下文学习率</translation>
    </message>
    <message>
        <source>CAVIA: step size of the inner steps on the context</source>
        <translation>CAVIA：上下文内循环步的步长</translation>
    </message>
    <message>
        <source>adapts only a few context inputs per task; the network is learned in the outer loop</source>
        <translation>每个任务只适应少量上下文输入；网络在外循环中学习</translation>
    </message>
    <message>
        <source>context lr</source>
        <translation>上下文学习率</translation>
    </message>
    <message>
        <source>MAML with the inner gradients treated as constants (first order)</source>
        <translation>把内循环梯度视为常数的 MAML（一阶）</translation>
    </message>
    <message>
        <source>iMAML λ</source>
        <translation>iMAML λ</translation>
    </message>
    <message>
        <source>iMAML&apos;s λ: how strongly each task&apos;s solution is pulled back to the initialisation</source>
        <translation>iMAML 的 λ：每个任务的解被拉回初始化的强度</translation>
    </message>
    <message>
        <source>implicit meta-gradient: solve (I + H/λ) g = query gradient at the proximal solution</source>
        <translation>隐式元梯度：在近端解处求解 (I + H/λ) g = 查询梯度</translation>
    </message>
    <message>
        <source>also learns a per-parameter inner learning rate</source>
        <translation>还为每个参数学习一个内循环学习率</translation>
    </message>
    <message>
        <source>moves the init towards the adapted weights; no query-set gradient</source>
        <translation>把初始化移向适应后的权重；不用查询集梯度</translation>
    </message>
    <message>
        <source>Claim: {when}, the held-out MSE of {algorithm} after {steps} is ≥ {factor:g}x below the {against} init&apos;s{fitted}.</source>
        <translation>声明：{when}，{algorithm} 在 {steps}后的留出 MSE 比{against}初始化的至少低 {factor:g} 倍{fitted}。</translation>
    </message>
    <message>
        <source>at once</source>
        <translation>载入后立即</translation>
    </message>
    <message>
        <source>after ~{seconds:g} s of meta-training</source>
        <translation>元训练约 {seconds:g} 秒后</translation>
    </message>
    <message>
        <source>{steps} step</source>
        <translation>{steps} 步</translation>
    </message>
    <message>
        <source>{steps} steps</source>
        <translation>{steps} 步</translation>
    </message>
    <message>
        <source> and below {below:g}</source>
        <translation>，且低于 {below:g}</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>pretrained</source>
        <translation>预训练</translation>
    </message>
    <message>
        <source>Changing it restarts meta-training from a fresh initialisation.</source>
        <translation>更改此项会从全新的初始化重新开始元训练。</translation>
    </message>
    <message>
        <source>algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>a second algorithm trained beside the first, on the same task batches</source>
        <translation>与第一个算法在相同任务批次上并排训练的第二个算法</translation>
    </message>
    <message>
        <source>task family</source>
        <translation>任务族</translation>
    </message>
    <message>
        <source>which kind of task is meta-learned</source>
        <translation>元学习哪一类任务</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>the paper&apos;s MLP or the article&apos;s two scalars</source>
        <translation>论文中的 MLP，或文章中的两个标量</translation>
    </message>
    <message>
        <source>hidden</source>
        <translation>隐藏层</translation>
    </message>
    <message>
        <source>MLP hidden sizes, e.g. 40,40</source>
        <translation>MLP 各隐藏层大小，例如 40,40</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>random seed of the initialisations and task sampling</source>
        <translation>初始化和任务采样所用的随机种子</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>where meta-training runs; auto picks CUDA when present</source>
        <translation>元训练在哪里运行；auto 在有 CUDA 时选用 CUDA</translation>
    </message>
    <message>
        <source>outer optimiser</source>
        <translation>外循环优化器</translation>
    </message>
    <message>
        <source>the meta-optimiser</source>
        <translation>元优化器</translation>
    </message>
    <message>
        <source>inner lr α</source>
        <translation>内循环学习率 α</translation>
    </message>
    <message>
        <source>α: step size of the inner SGD steps that adapt to each task</source>
        <translation>α：适应每个任务的内循环 SGD 步长</translation>
    </message>
    <message>
        <source>outer lr β</source>
        <translation>外循环学习率 β</translation>
    </message>
    <message>
        <source>β: step size of the meta-update of the initialisation</source>
        <translation>β：初始化元更新的步长</translation>
    </message>
    <message>
        <source>inner steps</source>
        <translation>内循环步数</translation>
    </message>
    <message>
        <source>inner SGD steps per task during meta-training</source>
        <translation>元训练中每个任务的内循环 SGD 步数</translation>
    </message>
    <message>
        <source>K (support points)</source>
        <translation>K（支持点）</translation>
    </message>
    <message>
        <source>K support (and query) points per task</source>
        <translation>每个任务 K 个支持点（及查询点）</translation>
    </message>
    <message>
        <source>meta-batch</source>
        <translation>元批量</translation>
    </message>
    <message>
        <source>tasks per meta-iteration</source>
        <translation>每次元迭代的任务数</translation>
    </message>
    <message>
        <source>display steps</source>
        <translation>显示步数</translation>
    </message>
    <message>
        <source>inner steps drawn on the panels</source>
        <translation>面板上绘制的内循环步数</translation>
    </message>
    <message>
        <source>display α</source>
        <translation>显示 α</translation>
    </message>
    <message>
        <source>step size for the panels; null: the training α</source>
        <translation>面板所用的步长；null：使用训练的 α</translation>
    </message>
    <message>
        <source>playing</source>
        <translation>播放中</translation>
    </message>
    <message>
        <source>meta-training runs</source>
        <translation>元训练正在运行</translation>
    </message>
    <message>
        <source>iterations</source>
        <translation>迭代次数</translation>
    </message>
    <message>
        <source>meta-iterations</source>
        <translation>元迭代次数</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒数</translation>
    </message>
    <message>
        <source>train for this long instead</source>
        <translation>改为按这段时长训练</translation>
    </message>
    <message>
        <source>threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>tasks</source>
        <translation>任务数</translation>
    </message>
    <message>
        <source>held-out tasks</source>
        <translation>留出任务数</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>fine-tuning steps</source>
        <translation>微调步数</translation>
    </message>
    <message>
        <source>quit after</source>
        <translation>定时退出</translation>
    </message>
    <message>
        <source>close the window after this many seconds</source>
        <translation>在这么多秒后关闭窗口</translation>
    </message>
    <message>
        <source>{error}; training on the CPU</source>
        <translation>{error}；改用 CPU 训练</translation>
    </message>
    <message>
        <source>Cannot compare with {algorithm}: {problem}</source>
        <translation>无法与 {algorithm} 对比：{problem}</translation>
    </message>
    <message>
        <source>Restarted from iteration {iteration:,}</source>
        <translation>已从第 {iteration:,} 次迭代重新开始</translation>
    </message>
    <message>
        <source>Could not restart from the last parameters ({error}); started afresh</source>
        <translation>无法从上次的参数重新开始（{error}）；已从头开始</translation>
    </message>
    <message>
        <source>Training stopped: {kind}: {error}</source>
        <translation>训练已停止：{kind}：{error}</translation>
    </message>
    <message>
        <source>{problem}; kept {algorithm} with the {model} model</source>
        <translation>{problem}；保留 {algorithm} 与 {model} 模型</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Diverged at once from iteration {rolled_back} (meta-loss {value:.3g}): going back further cannot help. Lower the learning rates or inner steps, or Reset.</source>
        <translation>从第 {rolled_back} 次迭代起立即发散（元损失 {value:.3g}）：再回退也无济于事。请调小学习率或内循环步数，或点重置。</translation>
    </message>
    <message>
        <source>Diverged at iteration {iteration} (meta-loss {value:.3g}); rolled back to iteration {rolled_back}. Try a smaller learning rate, then Play.</source>
        <translation>在第 {iteration} 次迭代发散（元损失 {value:.3g}）；已回退到第 {rolled_back} 次迭代。请调小学习率，再点播放。</translation>
    </message>
    <message>
        <source>Not started: {problem}</source>
        <translation>未开始：{problem}</translation>
    </message>
    <message>
        <source>Out of memory on the GPU at meta-batch {meta_batch}: moved to the CPU and paused. Lower the meta-batch, then Play.</source>
        <translation>元批量为 {meta_batch} 时 GPU 内存不足：已移到 CPU 并暂停。请调小元批量，再点播放。</translation>
    </message>
    <message>
        <source>Saved checkpoint to {path}</source>
        <translation>检查点已保存到 {path}</translation>
    </message>
    <message>
        <source>Could not save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <source>The checkpoint was not loaded: the setup was changed after it was asked for</source>
        <translation>未加载检查点：请求加载之后设置已被更改</translation>
    </message>
    <message>
        <source>Could not load the checkpoint ({kind}: {error}); nothing changed</source>
        <translation>无法加载检查点（{kind}：{error}）；未做任何更改</translation>
    </message>
    <message>
        <source>Loaded checkpoint ({algorithm}, {iterations} iterations)</source>
        <translation>已加载检查点（{algorithm}，{iterations} 次迭代）</translation>
    </message>
    <message>
        <source>amplitude A</source>
        <translation>振幅 A</translation>
    </message>
    <message>
        <source>phase φ</source>
        <translation>相位 φ</translation>
    </message>
    <message>
        <source>amplitude a</source>
        <translation>振幅 a</translation>
    </message>
    <message>
        <source>phase b</source>
        <translation>相位 b</translation>
    </message>
    <message>
        <source>slope a</source>
        <translation>斜率 a</translation>
    </message>
    <message>
        <source>intercept b</source>
        <translation>截距 b</translation>
    </message>
    <message>
        <source>two scalars (article)</source>
        <translation>两个标量（文章）</translation>
    </message>
    <message>
        <source>Changing this restarts meta-training from a fresh initialisation.</source>
        <translation>更改此项会从全新的随机初始化重新开始元训练。</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Task family</source>
        <translation>任务族</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Meta-training</source>
        <translation>元训练</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Start or pause meta-training (Space)</source>
        <translation>开始或暂停元训练（Space）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Run exactly one meta-iteration (S)</source>
        <translation>只运行一次元迭代（S）</translation>
    </message>
    <message>
        <source>Start meta-training again from a fresh initialisation (R)</source>
        <translation>从全新的随机初始化重新开始元训练（R）</translation>
    </message>
    <message>
        <source>Setup (changes reset)</source>
        <translation>设置（更改会重置）</translation>
    </message>
    <message>
        <source>your own task (click / draw)</source>
        <translation>自定义任务（点击 / 绘制）</translation>
    </message>
    <message>
        <source>Which kind of task is meta-learned and shown.</source>
        <translation>元学习并显示哪一类任务。</translation>
    </message>
    <message>
        <source>Your own task: click on a panel to add points or draw a curve; meta-training goes on with the family it was on.</source>
        <translation>自定义任务：在面板上点击添加点或绘制曲线；元训练继续使用原来的任务族。</translation>
    </message>
    <message>
        <source>The network adapted to each task: the paper&apos;s MLP, or the article&apos;s model with just two scalars (the family&apos;s own formula).</source>
        <translation>适应每个任务的网络：论文中的 MLP，或文章中只有两个标量的模型（即任务族自身的公式）。</translation>
    </message>
    <message>
        <source>Random seed of the initialisations and task sampling.</source>
        <translation>初始化和任务采样所用的随机种子。</translation>
    </message>
    <message>
        <source>Where meta-training runs; auto picks CUDA when present.</source>
        <translation>元训练在哪里运行；auto 在有 CUDA 时选用 CUDA。</translation>
    </message>
    <message>
        <source>Hyperparameters (live)</source>
        <translation>超参数（实时生效）</translation>
    </message>
    <message>
        <source>α: step size of the inner SGD steps that adapt to each task (log scale; type a value and press Enter)</source>
        <translation>α：适应每个任务的内循环 SGD 步长（对数刻度；输入数值后按 Enter）</translation>
    </message>
    <message>
        <source>β: step size of the meta-update of the initialisation (log scale)</source>
        <translation>β：初始化的元更新步长（对数刻度）</translation>
    </message>
    <message>
        <source>Inner SGD steps per task during meta-training</source>
        <translation>元训练中每个任务的内循环 SGD 步数</translation>
    </message>
    <message>
        <source>K: support points per task, in training and on the panels</source>
        <translation>K：每个任务的支持点数，训练和面板中相同</translation>
    </message>
    <message>
        <source>Tasks per meta-iteration (type a value in the box; up to {0:,} on a GPU, {1:,} on the CPU)</source>
        <translation>每次元迭代的任务数（可在框中输入数值；GPU 上最多 {0:,}，CPU 上最多 {1:,}）</translation>
    </message>
    <message>
        <source>Inner lr α</source>
        <translation>内循环学习率 α</translation>
    </message>
    <message>
        <source>Outer lr β</source>
        <translation>外循环学习率 β</translation>
    </message>
    <message>
        <source>Inner steps</source>
        <translation>内循环步数</translation>
    </message>
    <message>
        <source>K shots</source>
        <translation>K 样本数</translation>
    </message>
    <message>
        <source>Meta-batch</source>
        <translation>元批量</translation>
    </message>
    <message>
        <source>hypergradient lr</source>
        <translation>超梯度学习率</translation>
    </message>
    <message>
        <source>α&apos;s lr</source>
        <translation>α 的学习率</translation>
    </message>
    <message>
        <source>Displayed task</source>
        <translation>显示的任务</translation>
    </message>
    <message>
        <source>New task</source>
        <translation>新任务</translation>
    </message>
    <message>
        <source>Draw a new random task and new support points (N)</source>
        <translation>随机抽取新任务和新的支持点（N）</translation>
    </message>
    <message>
        <source>New points</source>
        <translation>新支持点</translation>
    </message>
    <message>
        <source>Same task, K new support points</source>
        <translation>同一任务，重新抽取 K 个支持点</translation>
    </message>
    <message>
        <source>N: inner steps drawn on the panels (before, after 1 step, ..., after N)</source>
        <translation>N：面板上绘制的内循环步数（适应前、1 步后、……、N 步后）</translation>
    </message>
    <message>
        <source>Steps shown</source>
        <translation>显示步数</translation>
    </message>
    <message>
        <source>Show pretrained baseline panel</source>
        <translation>显示预训练基线面板</translation>
    </message>
    <message>
        <source>A third panel: one network trained by plain regression on all tasks, then fine-tuned the same way</source>
        <translation>第三个面板：一个在所有任务上用普通回归训练的网络，再以同样方式微调</translation>
    </message>
    <message>
        <source>Save checkpoint…</source>
        <translation>保存检查点…</translation>
    </message>
    <message>
        <source>Write the current meta-initialisation to a .pt file</source>
        <translation>把当前的元初始化写入 .pt 文件</translation>
    </message>
    <message>
        <source>Load checkpoint…</source>
        <translation>加载检查点…</translation>
    </message>
    <message>
        <source>Replace the meta-initialisation with one from a .pt file</source>
        <translation>用 .pt 文件中的元初始化替换当前的元初始化</translation>
    </message>
    <message>
        <source>Your own task: click to add points, drag to move, right-click to remove, ✎ Draw to sketch a curve. Meta-training still samples {0} tasks</source>
        <translation>自定义任务：点击添加点，拖动移动，右键删除，用 ✎ 绘制 画出曲线。元训练仍在采样 {0} 任务</translation>
    </message>
    <message>
        <source>{0} → {1}: meta-training restarts</source>
        <translation>{0} → {1}：元训练重新开始</translation>
    </message>
    <message>
        <source>CUDA is not available on this machine</source>
        <translation>本机没有可用的 CUDA</translation>
    </message>
    <message>
        <source>The displayed task&apos;s {0} ({1}); the support points follow</source>
        <translation>所显示任务的{0}（{1}）；支持点随之变化</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Preset: {0}</source>
        <translation>预设：{0}</translation>
    </message>
    <message>
        <source>Opened session {0}</source>
        <translation>已打开会话 {0}</translation>
    </message>
    <message>
        <source>Could not save {0}: {1}</source>
        <translation>无法保存 {0}：{1}</translation>
    </message>
    <message>
        <source>Could not save: {0}</source>
        <translation>无法保存：{0}</translation>
    </message>
    <message>
        <source>Saved session to {0}</source>
        <translation>会话已保存到 {0}</translation>
    </message>
    <message>
        <source>Loaded the trained model: MAML after {0:,} meta-iterations</source>
        <translation>已加载训练好的模型：经过 {0:,} 次元迭代的 MAML</translation>
    </message>
    <message>
        <source>Open preset</source>
        <translation>打开预设</translation>
    </message>
    <message>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Open session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Save session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>the encoder process stopped unexpectedly</source>
        <translation>编码器进程意外停止</translation>
    </message>
    <message>
        <source>the encoder did not finish in time</source>
        <translation>编码器未能及时完成</translation>
    </message>
    <message>
        <source>cannot record to {path}: the name must end in {kinds} (it chooses the format)</source>
        <translation>无法录制到 {path}：文件名必须以 {kinds} 结尾（扩展名决定格式）</translation>
    </message>
    <message>
        <source>cannot record to {path}: it is a folder</source>
        <translation>无法录制到 {path}：这是一个文件夹</translation>
    </message>
    <message>
        <source>cannot record to {path}: the folder {folder} does not exist</source>
        <translation>无法录制到 {path}：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <source>cannot record to {path}: not allowed to write there</source>
        <translation>无法录制到 {path}：没有写入权限</translation>
    </message>
    <message>
        <source>cannot record to {path}: {reason}</source>
        <translation>无法录制到 {path}：{reason}</translation>
    </message>
    <message>
        <source>The same new task, fitted from {alg}&apos;s learned starting point: grey before, then after each inner step. As meta-training runs, one step already lands close.</source>
        <translation>同一个新任务，从 {alg} 学到的起点开始拟合：灰色为适应前，之后是每个内循环步之后的结果。随着元训练进行，一步就已接近目标。</translation>
    </message>
    <message>
        <source>The same task and the same points, fitted from a random starting point with the same steps: it barely moves. This is what meta-learning buys.</source>
        <translation>同样的任务和同样的点，从随机起点以相同的步数拟合：几乎不动。这就是元学习带来的好处。</translation>
    </message>
    <message>
        <source>One network trained on all tasks at once, then fine-tuned the same way: it learned the average task, not how to adapt.</source>
        <translation>一个在所有任务上同时训练的网络，再以同样的方式微调：它学到的是平均任务，而不是如何适应。</translation>
    </message>
    <message>
        <source>A second algorithm, meta-trained beside the first on the same batches of tasks.</source>
        <translation>第二个算法，与第一个算法在相同的任务批次上并排元训练。</translation>
    </message>
    <message>
        <source>The meta-loss: error on each task&apos;s query points after adapting, averaged over the batch. Falling means the starting point adapts better.</source>
        <translation>元损失：适应后每个任务查询点上的误差，在批次上取平均。下降说明起点的适应能力更好。</translation>
    </message>
    <message>
        <source>The paper&apos;s Figure 3: error on held-out tasks after 0, 1, ... inner steps, mean and 95% band.</source>
        <translation>论文的图 3：在留出任务上经过 0、1、… 个内循环步后的误差，均值及 95% 区间。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Algorithm 1&lt;/b&gt; (Finn et al. 2017)</source>
        <translation>&lt;b&gt;算法 1&lt;/b&gt;（Finn 等，2017）</translation>
    </message>
    <message>
        <source>θ ← a random initialisation</source>
        <translation>θ ← 随机初始化</translation>
    </message>
    <message>
        <source>&lt;b&gt;while&lt;/b&gt; training:</source>
        <translation>&lt;b&gt;当&lt;/b&gt;训练进行时：</translation>
    </message>
    <message>
        <source>sample a batch of tasks T&lt;sub&gt;i&lt;/sub&gt;</source>
        <translation>采样一批任务 T&lt;sub&gt;i&lt;/sub&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;for each&lt;/b&gt; T&lt;sub&gt;i&lt;/sub&gt;:</source>
        <translation>&lt;b&gt;对每个&lt;/b&gt; T&lt;sub&gt;i&lt;/sub&gt;：</translation>
    </message>
    <message>
        <source>θ&apos;&lt;sub&gt;i&lt;/sub&gt; = θ − α∇L&lt;sub&gt;Ti&lt;/sub&gt;(θ) on K support points</source>
        <translation>θ&apos;&lt;sub&gt;i&lt;/sub&gt; = θ − α∇L&lt;sub&gt;Ti&lt;/sub&gt;(θ)，在 K 个支持点上</translation>
    </message>
    <message>
        <source>loss&lt;sub&gt;i&lt;/sub&gt; = L&lt;sub&gt;Ti&lt;/sub&gt;(θ&apos;&lt;sub&gt;i&lt;/sub&gt;) on query points</source>
        <translation>loss&lt;sub&gt;i&lt;/sub&gt; = L&lt;sub&gt;Ti&lt;/sub&gt;(θ&apos;&lt;sub&gt;i&lt;/sub&gt;)，在查询点上</translation>
    </message>
    <message>
        <source>θ ← θ − β∇&lt;sub&gt;θ&lt;/sub&gt; Σ&lt;sub&gt;i&lt;/sub&gt; loss&lt;sub&gt;i&lt;/sub&gt;&amp;nbsp;&amp;nbsp;(meta-update)</source>
        <translation>θ ← θ − β∇&lt;sub&gt;θ&lt;/sub&gt; Σ&lt;sub&gt;i&lt;/sub&gt; loss&lt;sub&gt;i&lt;/sub&gt;&amp;nbsp;&amp;nbsp;（元更新）</translation>
    </message>
    <message>
        <source>Draw a batch of new tasks (sine waves) to practise on.</source>
        <translation>抽取一批新任务（正弦波）用于练习。</translation>
    </message>
    <message>
        <source>Fit each task from θ with a few gradient steps on its K points: fast adaptation.</source>
        <translation>从 θ 出发，在每个任务的 K 个点上用几个梯度步拟合：快速适应。</translation>
    </message>
    <message>
        <source>Score each adapted model on fresh points of its own task.</source>
        <translation>在各自任务的新点上评估每个适应后的模型。</translation>
    </message>
    <message>
        <source>Move θ so that this quick adaptation works better next time.</source>
        <translation>更新 θ，使下一次的快速适应效果更好。</translation>
    </message>
    <message>
        <source>How MAML learns</source>
        <translation>MAML 如何学习</translation>
    </message>
    <message>
        <source>(paused: press Play to watch the phases)</source>
        <translation>（已暂停：按“播放”观看各个阶段）</translation>
    </message>
    <message>
        <source>Real phases last microseconds: while training runs, the highlight steps through them every {0:g} s so you can follow along.</source>
        <translation>真实的各阶段只持续几微秒：训练运行时，高亮每 {0:g} 秒前进一个阶段，方便你跟上。</translation>
    </message>
    <message>
        <source>MP4 video (*.mp4)</source>
        <translation>MP4 视频 (*.mp4)</translation>
    </message>
    <message>
        <source>Animated GIF (*.gif)</source>
        <translation>GIF 动图 (*.gif)</translation>
    </message>
    <message>
        <source>Meta-training loss</source>
        <translation>元训练损失</translation>
    </message>
    <message>
        <source>Held-out MSE</source>
        <translation>留出任务 MSE</translation>
    </message>
    <message>
        <source>Could not write {0}</source>
        <translation>无法写入 {0}</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <source>Record the plots</source>
        <translation>录制图表</translation>
    </message>
    <message>
        <source>Export window</source>
        <translation>导出窗口</translation>
    </message>
    <message>
        <source>PNG (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Export panel</source>
        <translation>导出面板</translation>
    </message>
    <message>
        <source>PNG (*.png);;SVG (*.svg)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>{0}: the picture could not be encoded as {1}</source>
        <translation>{0}：无法将图片编码为 {1}</translation>
    </message>
    <message>
        <source>Parameter space</source>
        <translation>参数空间</translation>
    </message>
    <message>
        <source>support MSE</source>
        <translation>支持点 MSE</translation>
    </message>
    <message>
        <source>Colour: the task&apos;s support loss (log scale, see the bar). Line: the path the meta-initialisation took while training. Markers: each inner step from the meta-learned and the random init (stretched, and the readout says so, when they are too short to see). Click anywhere to place the random initialisation there.</source>
        <translation>颜色：任务在支持点上的损失（对数刻度，见色条）。线条：元初始化在训练中走过的路径。标记：从元学习初始化和随机初始化出发的每个内循环步（步子太短看不清时会拉长显示，读数会注明）。点击任意位置可把随机初始化放到那里。</translation>
    </message>
    <message>
        <source>true</source>
        <translation>真实</translation>
    </message>
    <message>
        <source>meta-init, trail</source>
        <translation>元初始化及其轨迹</translation>
    </message>
    <message>
        <source>init off the map</source>
        <translation>初始化在图外</translation>
    </message>
    <message>
        <source>replayed init</source>
        <translation>回放的初始化</translation>
    </message>
    <message>
        <source>Inner steps too short to see at this α: drawn longer ({0})</source>
        <translation>在此 α 下内循环步太短看不清：已拉长显示（{0}）</translation>
    </message>
    <message>
        <source>Steps drawn longer to be seen: {0}</source>
        <translation>为便于观察已拉长步长：{0}</translation>
    </message>
    <message>
        <source>Steps drawn longer: {0}</source>
        <translation>步长已拉长：{0}</translation>
    </message>
    <message>
        <source>Steps {0}</source>
        <translation>步长 {0}</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>The {0} translation is missing: the window stays as it is</source>
        <translation>缺少 {0} 的翻译文件：窗口保持原样</translation>
    </message>
    <message>
        <source>Alpha MAML learns the inner learning rate α by hypergradient descent: here is α over meta-training</source>
        <translation>Alpha MAML 用超梯度下降学习内循环学习率 α：这里是 α 在元训练中的变化</translation>
    </message>
    <message>
        <source>learned α</source>
        <translation>学到的 α</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>发散</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>MAML Playground</source>
        <translation>MAML 演练场</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Training restarted from the last parameters received</source>
        <translation>训练已从最后收到的参数重新开始</translation>
    </message>
    <message>
        <source>What the training thread is doing</source>
        <translation>训练线程当前的状态</translation>
    </message>
    <message>
        <source>Where meta-training runs</source>
        <translation>元训练在哪里运行</translation>
    </message>
    <message>
        <source>Meta-iterations so far</source>
        <translation>目前为止的元迭代次数</translation>
    </message>
    <message>
        <source>Meta-iterations per second</source>
        <translation>每秒元迭代次数</translation>
    </message>
    <message>
        <source>Latest meta-loss (query MSE after adaptation, averaged over the meta-batch)</source>
        <translation>最新的元损失（适应后查询点上的 MSE，在元批量上取平均）</translation>
    </message>
    <message>
        <source>Frames drawn per second</source>
        <translation>每秒绘制的帧数</translation>
    </message>
    <message>
        <source>Drawing failed: {0}: {1}</source>
        <translation>绘制失败：{0}：{1}</translation>
    </message>
    <message>
        <source>Restart training</source>
        <translation>重新开始训练</translation>
    </message>
    <message>
        <source>trainer stopped</source>
        <translation>训练器已停止</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>device {0}</source>
        <translation>设备 {0}</translation>
    </message>
    <message>
        <source>iteration {0}</source>
        <translation>迭代 {0}</translation>
    </message>
    <message>
        <source>{0} it/s</source>
        <translation>{0} it/s</translation>
    </message>
    <message>
        <source>meta-loss {0}</source>
        <translation>元损失 {0}</translation>
    </message>
    <message>
        <source>{0} fps</source>
        <translation>{0} fps</translation>
    </message>
    <message>
        <source>One new task, {0}, {1}: which initialisation adapts faster?</source>
        <translation>一个新任务，{0}，{1}：哪种初始化适应得更快？</translation>
    </message>
    <message>
        <source>{0}, {1}: which init adapts faster?</source>
        <translation>{0}，{1}：哪种初始化适应更快？</translation>
    </message>
    <message>
        <source>your task</source>
        <translation>你的任务</translation>
    </message>
    <message>
        <source>Your task</source>
        <translation>你的任务</translation>
    </message>
    <message>
        <source>Trained on {0} tasks · shown: {1}, {2}, {3}</source>
        <translation>在 {0} 任务上训练 · 显示：{1}，{2}，{3}</translation>
    </message>
    <message>
        <source>{0}, {1}, {2} (trained on {3})</source>
        <translation>{0}，{1}，{2}（在 {3} 上训练）</translation>
    </message>
    <message>
        <source>Save checkpoint</source>
        <translation>保存检查点</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Load checkpoint</source>
        <translation>加载检查点</translation>
    </message>
    <message>
        <source>Unsaved task</source>
        <translation>未保存的任务</translation>
    </message>
    <message>
        <source>Your points or drawn curve are not saved. Save them as a session before closing?</source>
        <translation>你放置的点或绘制的曲线尚未保存。关闭前要将它们保存为会话吗？</translation>
    </message>
    <message>
        <source>Click to dismiss</source>
        <translation>单击关闭</translation>
    </message>
    <message>
        <source>two-scalar model</source>
        <translation>双标量模型</translation>
    </message>
    <message>
        <source>Reset: {0} meta-training restarts from a fresh initialisation ({1}, {2})</source>
        <translation>已重置：{0} 元训练从全新的初始化重新开始（{1}，{2}）</translation>
    </message>
    <message>
        <source>{0} ({1}), {2} (others)</source>
        <translation>{0}（{1}），{2}（其他）</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>空格</translation>
    </message>
    <message>
        <source>Play / pause meta-training</source>
        <translation>播放 / 暂停元训练</translation>
    </message>
    <message>
        <source>One meta-iteration</source>
        <translation>执行一次元迭代</translation>
    </message>
    <message>
        <source>Reset meta-training</source>
        <translation>重置元训练</translation>
    </message>
    <message>
        <source>Presenter mode (Esc leaves)</source>
        <translation>演示模式（Esc 退出）</translation>
    </message>
    <message>
        <source>Light / dark theme</source>
        <translation>浅色 / 深色主题</translation>
    </message>
    <message>
        <source>Explain: captions and the algorithm</source>
        <translation>讲解：说明文字与算法</translation>
    </message>
    <message>
        <source>Hide / show the controls</source>
        <translation>隐藏 / 显示控制栏</translation>
    </message>
    <message>
        <source>Text larger / smaller / normal</source>
        <translation>文字放大 / 缩小 / 正常</translation>
    </message>
    <message>
        <source>Start / stop recording (MP4 or GIF)</source>
        <translation>开始 / 停止录制（MP4 或 GIF）</translation>
    </message>
    <message>
        <source>Load the trained model (shipped)</source>
        <translation>加载训练好的模型（随附）</translation>
    </message>
    <message>
        <source>Export the window as PNG</source>
        <translation>将窗口导出为 PNG</translation>
    </message>
    <message>
        <source>F1 or ?</source>
        <translation>F1 或 ?</translation>
    </message>
    <message>
        <source>This sheet</source>
        <translation>本快捷键表</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Click</source>
        <translation>单击</translation>
    </message>
    <message>
        <source>On a task panel: add a support point</source>
        <translation>在任务面板上：添加一个支持点</translation>
    </message>
    <message>
        <source>Drag</source>
        <translation>拖动</translation>
    </message>
    <message>
        <source>Move a point (in draw mode: sketch the curve)</source>
        <translation>移动一个点（绘制模式下：描绘曲线）</translation>
    </message>
    <message>
        <source>Right click</source>
        <translation>右键单击</translation>
    </message>
    <message>
        <source>Remove a point (or select it and press Delete)</source>
        <translation>删除一个点（或选中后按 Delete）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;preset</source>
        <translation>打开预设(&amp;P)</translation>
    </message>
    <message>
        <source>Other preset file…</source>
        <translation>其他预设文件…</translation>
    </message>
    <message>
        <source>&amp;Open session…</source>
        <translation>打开会话(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save session…</source>
        <translation>保存会话(&amp;S)…</translation>
    </message>
    <message>
        <source>Load &amp;trained model</source>
        <translation>加载训练好的模型(&amp;T)</translation>
    </message>
    <message>
        <source>MAML meta-trained for 70,000 iterations on the paper&apos;s sinusoids: the finished result at once</source>
        <translation>在论文的正弦任务上元训练了 70,000 次迭代的 MAML：立即查看最终结果</translation>
    </message>
    <message>
        <source>&amp;Export window as PNG…</source>
        <translation>将窗口导出为 PNG(&amp;E)…</translation>
    </message>
    <message>
        <source>Export one &amp;panel (PNG or SVG)</source>
        <translation>导出单个面板（PNG 或 SVG）(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Record…</source>
        <translation>录制(&amp;R)…</translation>
    </message>
    <message>
        <source>Record the plots to an MP4 video or an animated GIF (F9 again stops)</source>
        <translation>将图表录制为 MP4 视频或 GIF 动画（再按 F9 停止）</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Presenter mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Full screen, larger text and lines, advanced controls hidden</source>
        <translation>全屏，放大文字和线条，隐藏高级控件</translation>
    </message>
    <message>
        <source>&amp;Light theme (high contrast)</source>
        <translation>浅色主题（高对比度）(&amp;L)</translation>
    </message>
    <message>
        <source>White background, dark text, saturated lines</source>
        <translation>白色背景，深色文字，鲜明线条</translation>
    </message>
    <message>
        <source>E&amp;xplain</source>
        <translation>讲解(&amp;X)</translation>
    </message>
    <message>
        <source>Say what each panel shows; the algorithm with its current phase</source>
        <translation>说明每个面板显示的内容；展示算法及其当前阶段</translation>
    </message>
    <message>
        <source>&amp;Controls</source>
        <translation>控制栏(&amp;C)</translation>
    </message>
    <message>
        <source>Show or hide the controls column (Ctrl+B): the plots take its width</source>
        <translation>显示或隐藏控制栏（Ctrl+B）：图表占用其宽度</translation>
    </message>
    <message>
        <source>&amp;Text size</source>
        <translation>文字大小(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Larger</source>
        <translation>放大(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Smaller</source>
        <translation>缩小(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Normal</source>
        <translation>正常(&amp;N)</translation>
    </message>
    <message>
        <source>Leave presenter mode</source>
        <translation>退出演示模式</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts (?)</source>
        <translation>键盘快捷键 (?)</translation>
    </message>
    <message>
        <source>Guided &amp;tour</source>
        <translation>导览(&amp;T)</translation>
    </message>
    <message>
        <source>The article&apos;s story told with the live app: → / PageDown next, ← / PageUp back, Esc leaves</source>
        <translation>用实时运行的应用讲述文章的内容：→ / PageDown 下一步，← / PageUp 上一步，Esc 退出</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>before</source>
        <translation>适应前</translation>
    </message>
    <message>
        <source>after {0} step</source>
        <translation>{0} 步后</translation>
    </message>
    <message>
        <source>after {0} steps</source>
        <translation>{0} 步后</translation>
    </message>
    <message>
        <source>{0} step</source>
        <translation>{0} 步</translation>
    </message>
    <message>
        <source>{0} steps</source>
        <translation>{0} 步</translation>
    </message>
    <message>
        <source>support</source>
        <translation>支持点</translation>
    </message>
    <message>
        <source>each inner gradient step</source>
        <translation>每个内循环梯度步</translation>
    </message>
    <message>
        <source>the steps named ({0})</source>
        <translation>所列步数（{0}）</translation>
    </message>
    <message>
        <source>Dashed: {0} Dots: its support points, the only data the fit sees. Grey: the prediction before adaptation; then after {1}, brighter up to the last.</source>
        <translation>虚线：{0}圆点：该任务的支持点，即拟合唯一能看到的数据。灰色：适应前的预测；随后是{1}之后的预测，越到最后颜色越亮。</translation>
    </message>
    <message>
        <source>pretraining the baseline…</source>
        <translation>正在预训练基线…</translation>
    </message>
    <message>
        <source>the true curve</source>
        <translation>真实曲线</translation>
    </message>
    <message>
        <source>the family&apos;s curve (the points were edited)</source>
        <translation>任务族的曲线（支持点已被编辑）</translation>
    </message>
    <message>
        <source>the target curve</source>
        <translation>目标曲线</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Mean squared error against {0}: {1} before adaptation, {2} {3}</source>
        <translation>相对{0}的均方误差 MSE：适应前 {1}，{3} {2}</translation>
    </message>
    <message>
        <source>{0} points</source>
        <translation>{0} 个点</translation>
    </message>
    <message>
        <source>{0} point (meta-training&apos;s {1})</source>
        <translation>{0} 个点（元训练的 {1}）</translation>
    </message>
    <message>
        <source>{0} points (meta-training&apos;s {1})</source>
        <translation>{0} 个点（元训练的 {1}）</translation>
    </message>
    <message>
        <source>the task&apos;s true curve.</source>
        <translation>任务的真实曲线。</translation>
    </message>
    <message>
        <source>the curve of the family task you edited: the edited points do not lie on it, so it is no longer their truth; the MSE still measures against it.</source>
        <translation>你所编辑的任务族任务的曲线：编辑后的点不在这条曲线上，因此它已不再是这些点的真实曲线；但 MSE 仍以它为准计算。</translation>
    </message>
    <message>
        <source>the curve you drew, the MSE&apos;s target.</source>
        <translation>你绘制的曲线，即 MSE 的目标。</translation>
    </message>
    <message>
        <source>none: only points were placed.</source>
        <translation>无：只放置了点。</translation>
    </message>
    <message>
        <source>family&apos;s curve</source>
        <translation>任务族曲线</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>meta-iteration</source>
        <translation>元迭代</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>per iteration</source>
        <translation>每次迭代</translation>
    </message>
    <message>
        <source>query MSE after adaptation</source>
        <translation>适应后的查询点 MSE</translation>
    </message>
    <message>
        <source>press Play to meta-train</source>
        <translation>按“播放”开始元训练</translation>
    </message>
    <message>
        <source>smoothed {0}</source>
        <translation>平滑 {0}</translation>
    </message>
    <message>
        <source>inner gradient steps</source>
        <translation>内循环梯度步数</translation>
    </message>
    <message>
        <source> (fitting…)</source>
        <translation>（拟合中…）</translation>
    </message>
    <message>
        <source>inner gradient steps (log scale)</source>
        <translation>内循环梯度步数（对数刻度）</translation>
    </message>
    <message>
        <source>{0}: {1} of {2}</source>
        <translation>{0}：{2} 个中 {1} 个</translation>
    </message>
    <message>
        <source>Diverged at some step, and left out of that step&apos;s mean and band (MSE non-finite or above 100): {0} (the most at any step)</source>
        <translation>在某一步发散，已从该步的均值和置信带中剔除（MSE 非有限或大于 100）：{0}（取各步中的最大数）</translation>
    </message>
    <message>
        <source>Mean over {0} fixed held-out tasks; band: 95% CI</source>
        <translation>{0} 个固定留出任务上的均值；阴影带：95% 置信区间</translation>
    </message>
    <message>
        <source>after {0} steps · mean ± 95% CI · {1} tasks</source>
        <translation>{0} 步后 · 均值 ± 95% 置信区间 · {1} 个任务</translation>
    </message>
    <message>
        <source>mean ± 95% CI · {0} tasks</source>
        <translation>均值 ± 95% 置信区间 · {0} 个任务</translation>
    </message>
    <message>
        <source>{0} tasks</source>
        <translation>{0} 个任务</translation>
    </message>
    <message>
        <source>up to {0} of {1} diverged, excluded</source>
        <translation>{1} 个中最多 {0} 个发散，已剔除</translation>
    </message>
    <message>
        <source>{0} of {1} diverged, excluded</source>
        <translation>{1} 个中 {0} 个发散，已剔除</translation>
    </message>
    <message>
        <source>up to {0}/{1} diverged</source>
        <translation>最多 {0}/{1} 发散</translation>
    </message>
    <message>
        <source>{0}/{1} diverged</source>
        <translation>{0}/{1} 发散</translation>
    </message>
    <message>
        <source>{0} diverged, excluded</source>
        <translation>{0} 发散，已剔除</translation>
    </message>
    <message>
        <source>mean ± 95% CI</source>
        <translation>均值 ± 95% 置信区间</translation>
    </message>
    <message>
        <source>diverged, excluded: {0} of {1}</source>
        <translation>发散，已剔除：{0}（共 {1} 个）</translation>
    </message>
    <message>
        <source>{0} of {1} diverged</source>
        <translation>{0}（共 {1} 个）发散</translation>
    </message>
    <message>
        <source>Could not write {0}: {1}</source>
        <translation>无法写入 {0}：{1}</translation>
    </message>
    <message>
        <source>Nothing was recorded to {0} (no new frame was drawn)</source>
        <translation>没有录制到 {0}（没有绘制新的帧）</translation>
    </message>
    <message>
        <source>Recorded {0} frames ({1:.1f} s) to {2}, {3} dropped (the encoder fell behind)</source>
        <translation>已录制 {0} 帧（{1:.1f} s）到 {2}，丢弃 {3} 帧（编码器跟不上）</translation>
    </message>
    <message>
        <source>Recorded {0} frames ({1:.1f} s) to {2}</source>
        <translation>已录制 {0} 帧（{1:.1f} s）到 {2}</translation>
    </message>
    <message>
        <source>Recording the plots: F9 stops and saves</source>
        <translation>正在录制图表：按 F9 停止并保存</translation>
    </message>
    <message>
        <source>● REC {0:.0f} s</source>
        <translation>● 录制 {0:.0f} s</translation>
    </message>
    <message>
        <source>random init</source>
        <translation>随机初始化</translation>
    </message>
    <message>
        <source>compared</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>{0} init</source>
        <translation>{0} 初始化</translation>
    </message>
    <message>
        <source>{0} initialisation</source>
        <translation>{0} 初始化</translation>
    </message>
    <message>
        <source>Random init</source>
        <translation>随机初始化</translation>
    </message>
    <message>
        <source>Random initialisation</source>
        <translation>随机初始化</translation>
    </message>
    <message>
        <source>Pretrained</source>
        <translation>预训练</translation>
    </message>
    <message>
        <source>Pretrained baseline</source>
        <translation>预训练基线</translation>
    </message>
    <message>
        <source>Click: add a support point · drag a point: move it · right-click: remove it (or select it and press Delete) · ✎ Draw: sketch the true curve</source>
        <translation>单击：添加支持点 · 拖动点：移动 · 右击：删除（或选中后按 Delete）· ✎ 绘制：画出真实曲线</translation>
    </message>
    <message>
        <source>At most {0} support points (what a saved session can hold)</source>
        <translation>最多 {0} 个支持点（保存的会话所能容纳的上限）</translation>
    </message>
    <message>
        <source>Nothing to sample from: draw a target curve first (✎ Draw)</source>
        <translation>没有可采样的曲线：请先绘制目标曲线（✎ 绘制）</translation>
    </message>
    <message>
        <source>Draw mode: drag across a panel to sketch the true curve</source>
        <translation>绘制模式：在面板上拖动以画出真实曲线</translation>
    </message>
    <message>
        <source>Drag left to right across the panel to draw a curve</source>
        <translation>在面板上从左向右拖动以绘制曲线</translation>
    </message>
    <message>
        <source>Draw</source>
        <translation>绘制</translation>
    </message>
    <message>
        <source>Draw mode: drag across a panel to sketch the task&apos;s true curve (K support points are then sampled from it)</source>
        <translation>绘制模式：在面板上拖动以画出任务的真实曲线（随后从中采样 K 个支持点）</translation>
    </message>
    <message>
        <source>Sample K</source>
        <translation>采样 K 个</translation>
    </message>
    <message>
        <source>K new support points from the true curve (drawn or the family&apos;s)</source>
        <translation>从真实曲线（绘制的或任务族的）采样 K 个新支持点</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Remove every support point; click on a panel to place your own</source>
        <translation>删除所有支持点；在面板上单击可放置你自己的点</translation>
    </message>
    <message>
        <source>Reset task</source>
        <translation>重置任务</translation>
    </message>
    <message>
        <source>Back to a fresh random task from the training family</source>
        <translation>回到训练任务族中一个新的随机任务</translation>
    </message>
    <message>
        <source>Replay: iteration {0:,} of {1:,}</source>
        <translation>回放：第 {0:,} 次迭代（共 {1:,} 次）</translation>
    </message>
    <message>
        <source>Drag back to replay the meta-initialisation of an earlier iteration on the current task; Live (or Play) returns to the training init</source>
        <translation>向回拖动，可在当前任务上回放较早迭代的元初始化；点“实时”（或“播放”）回到训练中的初始化</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Back to the init training has now</source>
        <translation>回到训练当前的初始化</translation>
    </message>
    <message>
        <source>{0} past initialisations kept, {1:.1f} MB (at most {2:.1f} MB)</source>
        <translation>已保存 {0} 个历史初始化，{1:.1f} MB（最多 {2:.1f} MB）</translation>
    </message>
    <message>
        <source>live · iteration {0:,}</source>
        <translation>实时 · 第 {0:,} 次迭代</translation>
    </message>
    <message>
        <source>Replay: iteration {0:,}</source>
        <translation>回放：第 {0:,} 次迭代</translation>
    </message>
    <message>
        <source>Tour</source>
        <translation>导览</translation>
    </message>
    <message>
        <source>Tour: {0}</source>
        <translation>导览：{0}</translation>
    </message>
    <message>
        <source>Tour ended: your settings, task and meta-initialisation are back</source>
        <translation>导览结束：你的设置、任务和元初始化已恢复</translation>
    </message>
    <message>
        <source>Tour ended: your settings and task are back (meta-training restarts)</source>
        <translation>导览结束：你的设置和任务已恢复（元训练重新开始）</translation>
    </message>
    <message>
        <source>{where}: must be a JSON object of settings, e.g. {{&quot;inner_lr&quot;: 0.01}}</source>
        <translation>{where}：必须是由设置组成的 JSON 对象，例如 {{&quot;inner_lr&quot;: 0.01}}</translation>
    </message>
    <message>
        <source>{where}: {key} must be a string, not {value!r}</source>
        <translation>{where}：{key} 必须是字符串，而不是 {value!r}</translation>
    </message>
    <message>
        <source>{where}: task must be {{&quot;a&quot;: number, &quot;b&quot;: number}}, not {task!r}</source>
        <translation>{where}：task 必须是 {{&quot;a&quot;: 数值, &quot;b&quot;: 数值}}，而不是 {task!r}</translation>
    </message>
    <message>
        <source>{where}: task {key} must be a number in [{lo:g}, {hi:g}] for the {family} family (got {value!r})</source>
        <translation>{where}：对 {family} 任务族，task 的 {key} 必须是 [{lo:g}, {hi:g}] 内的数（实际为 {value!r}）</translation>
    </message>
    <message>
        <source>{0}: type a number between {1:g} and {2:g}, e.g. {3}</source>
        <translation>{0}：请输入 {1:g} 到 {2:g} 之间的数，例如 {3}</translation>
    </message>
    <message>
        <source>{0} must be between {1:g} and {2:g}; &apos;{3}&apos; refused, kept {4}</source>
        <translation>{0} 必须在 {1:g} 到 {2:g} 之间；已拒绝“{3}”，保留 {4}</translation>
    </message>
    <message>
        <source>{0} and {1}</source>
        <translation>{0} 与 {1}</translation>
    </message>
    <message>
        <source>sinusoid</source>
        <translation>正弦</translation>
    </message>
    <message>
        <source>sine-ab</source>
        <translation>正弦 (a, b)</translation>
    </message>
    <message>
        <source>linear</source>
        <translation>线性</translation>
    </message>
</context>
</TS>
