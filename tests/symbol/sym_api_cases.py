"""Symbol API cases, answered by MXNet 1.9.1 in data/mxnet_sym_api_cases.json.

Each case is Python that leaves its answer in ``r`` (see ../api_case_runner.py).
Re-record with ``$MXJAX_MXNET_PYTHON tests/record_api_cases.py
tests/symbol/sym_api_cases.py tests/symbol/data/mxnet_sym_api_cases.json``.
Behaviours where mxjax deliberately differs are tested in test_symbol.py.
"""

CASES = [
    ('var_basic',
     "r = sorted(mx.sym.var('a', shape=(2,3), lr_mult=2, wd_mult=0.5, dtype='f"
     "loat64', init='zeros', stype='csr', __foo__=3).list_attr().items())"),
    ('var_init_obj',
     "r = mx.sym.var('a', init=mx.init.Xavier()).list_attr()"),
    ('var_init_const',
     "r = mx.sym.var('a', init=mx.init.Constant(0.25)).list_attr()"),
    ('var_dtype_np',
     "r = [mx.sym.var('a', dtype=t).list_attr() for t in (np.float32, np.int64"
     ", 'uint8', 'int8', np.float16, 'int32', 'bool')]"),
    ('var_stype',
     "r = [mx.sym.var('a', stype=s).list_attr() for s in ('default', 'row_spar"
     "se', 'csr')]"),
    ('var_stype_bad',
     "r = mx.sym.var('a', stype='bogus').list_attr()"),
    ('var_shape_int',
     "r = mx.sym.var('a', shape=5).list_attr()"),
    ('var_shape_list',
     "r = mx.sym.var('a', shape=[2, 3]).list_attr()"),
    ('var_badkw',
     "r = mx.sym.var('a', foo=1)"),
    ('var_badname',
     'r = mx.sym.var(1)'),
    ('var_attr_nonstr',
     "r = mx.sym.var('a', attr={'x': 1}).list_attr()"),
    ('var_attr',
     "r = mx.sym.var('a', attr={'x': '1', '__y__': '2'}).list_attr()"),
    ('var_attr_lr',
     "r = mx.sym.var('a', attr={'lr_mult': '2'}).list_attr()"),
    ('var_attrscope',
     "with mx.AttrScope(group='4', __z__='5'):\n  r = mx.sym.var('a', attr={'gr"
     "oup': '9'}).list_attr()"),
    ('var_attrscope_lr',
     "with mx.AttrScope(lr_mult='4'):\n  r = mx.sym.var('a').list_attr()"),
    ('var_lr_float',
     "r = mx.sym.var('a', lr_mult=1).attr('__lr_mult__')"),
    ('var_dunder_nonstr',
     "r = mx.sym.var('a', __shape__=(3,4)).list_attr()"),
    ('var_name',
     "r = mx.sym.var('a').name"),
    ('Variable_same',
     "r = mx.sym.Variable is mx.sym.var or mx.sym.Variable('x').name"),
    ('var_prefix',
     "with mx.name.Prefix('p_'):\n  r = mx.sym.var('a').name"),
    ('autoname',
     "with mx.name.NameManager():\n  x = mx.sym.var('x')\n  r = [mx.sym.FullyCon"
     'nected(x, num_hidden=2).name, mx.sym.FullyConnected(x, num_hidden=2).nam'
     "e, mx.sym.Activation(x, act_type='relu').name, mx.sym.SoftmaxOutput(x).n"
     'ame, mx.sym.softmax(x).name, mx.sym.Flatten(x).name, mx.sym.flatten(x).n'
     'ame, mx.sym.Reshape(x, shape=(1,)).name, mx.sym.reshape(x, shape=(1,)).n'
     'ame, mx.sym.Concat(x, x).name, mx.sym.concat(x,x).name, mx.sym.split(x, '
     'num_outputs=2).name, mx.sym.SliceChannel(x, num_outputs=2).name, mx.sym.'
     "sum(x).name, mx.sym.Cast(x, dtype='int32').name, mx.sym.cast(x, dtype='i"
     "nt32').name, mx.sym.BlockGrad(x).name, mx.sym.stop_gradient(x).name, mx."
     'sym.MakeLoss(x).name, mx.sym.make_loss(x).name, mx.sym.Dropout(x).name, '
     'mx.sym.exp(x).name, mx.sym.broadcast_add(x,x).name, mx.sym.elemwise_add('
     'x,x).name, mx.sym.dot(x,x).name, mx.sym.zeros((2,)).name, mx.sym.ones((2'
     ',)).name, mx.sym.full((2,), 3).name, mx.sym.arange(3).name, mx.sym.one_h'
     'ot(x, depth=3).name, mx.sym.where(x,x,x).name, mx.sym.clip(x, a_min=0, a'
     '_max=1).name, mx.sym.LinearRegressionOutput(x).name]'),
    ('autoname_ops',
     "with mx.name.NameManager():\n  x = mx.sym.var('x')\n  r = [(x+x).name, (x+"
     '1).name, (1+x).name, (x-1).name, (1-x).name, (x*2).name, (2*x).name, (x/'
     '2).name, (2/x).name, (x%2).name, (2%x).name, (x**2).name, (2**x).name, ('
     '-x).name, (x-x).name, (x*x).name, (x/x).name, (x%x).name, (x**x).name, ('
     'x==1).name, (x!=1).name, (x>1).name, (x>=1).name, (x<1).name, (x<=1).nam'
     'e, (x==x).name, (x<x).name, abs(x).name]'),
    ('op_names_json',
     "with mx.name.NameManager():\n  x = mx.sym.var('x')\n  g = mx.sym.Group([x+"
     'x, x+1, 1-x, x-x, x*x, x/x, x%x, x**x, 2**x, 2%x, 2/x, -x, x==x, x!=x, x'
     '>x, x>=x, x<x, x<=x, x==1, x!=1, x>1, x>=1, x<1, x<=1, abs(x), x-1, x*2,'
     " x/2, x%2, x**2])\n  r = [(n['op'], n['name'], n.get('attrs')) for n in j"
     "son.loads(g.tojson())['nodes']]"),
    ('rsub_sym_scalar_float',
     "x = mx.sym.var('x'); r = json.loads((1.5 - x).tojson())['nodes'][1]"),
    ('scalar_int_str',
     "x = mx.sym.var('x'); r = [json.loads((x + v).tojson())['nodes'][1].get('"
     "attrs') for v in (1, 1.0, 0.1, np.float32(0.1), np.int64(3), True, 1e-8,"
     ' 1e20)]'),
    ('rpow',
     "x = mx.sym.var('x'); r = json.loads((2 ** x).tojson())['nodes'][1]"),
    ('neg',
     "x = mx.sym.var('x'); r = json.loads((-x).tojson())['nodes'][1]"),
    ('sym_plus_str',
     "x = mx.sym.var('x'); r = x + 'a'"),
    ('sym_plus_nd',
     "x = mx.sym.var('x'); r = x + mx.nd.ones((2,))"),
    ('bool',
     "r = bool(mx.sym.var('x'))"),
    ('iadd',
     "x = mx.sym.var('x')\nx += 1\nr = x"),
    ('isub',
     "x = mx.sym.var('x')\nx -= 1\nr = x"),
    ('imul',
     "x = mx.sym.var('x')\nx *= 1\nr = x"),
    ('idiv',
     "x = mx.sym.var('x')\nx /= 1\nr = x"),
    ('len_var',
     "r = len(mx.sym.var('x'))"),
    ('iter',
     "r = [s.name for s in mx.sym.split(mx.sym.var('x'), num_outputs=3, name='"
     "s')]"),
    ('iter_group',
     "x = mx.sym.var('x'); r = [s.list_outputs() for s in mx.sym.Group([x, x+1"
     '])]'),
    ('getitem_oob',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=3, name='s')[3]"),
    ('getitem_str',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=3, name='s')['s_output2']."
     'list_outputs()'),
    ('getitem_str_bad',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=3, name='s')['nope']"),
    ('getitem_str_dup',
     "x = mx.sym.var('x'); r = mx.sym.Group([x, x])['x']"),
    ('getitem_float',
     "r = mx.sym.var('x')[1.0]"),
    ('group_empty',
     'r = mx.sym.Group([])'),
    ('group_nonsym',
     'r = mx.sym.Group([1])'),
    ('group_name',
     "x = mx.sym.var('x'); r = [mx.sym.Group([x, x+1]).name, mx.sym.Group([x])"
     '.name, repr(mx.sym.Group([x]))]'),
    ('group_repr',
     "x = mx.sym.var('x'); r = repr(mx.sym.Group([x, mx.sym.var('y')]))"),
    ('split_name',
     "r = [mx.sym.split(mx.sym.var('x'), num_outputs=2, name='s').name, repr(m"
     "x.sym.split(mx.sym.var('x'), num_outputs=2, name='s'))]"),
    ('internals',
     "with mx.name.NameManager():\n  x = mx.sym.var('data')\n  fc = mx.sym.Fully"
     "Connected(x, num_hidden=3, name='fc1')\n  a = mx.sym.Activation(fc, act_t"
     "ype='relu', name='relu1')\n  s = mx.sym.SoftmaxOutput(a, name='softmax')\n"
     "  r = [s.get_internals().list_outputs(), s.get_internals()['fc1_output']"
     ".list_outputs(), s.get_internals()['fc1_weight'].list_arguments()]"),
    ('internals_split',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=2, name='s').get_internals"
     '().list_outputs()'),
    ('internals_dropout',
     "r = mx.sym.Dropout(mx.sym.var('x'), name='d').get_internals().list_outpu"
     'ts()'),
    ('children',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc1'); r = [fc.get_children().list_outputs(), x.get_children(), (x+x)."
     'get_children().list_outputs()]'),
    ('children_group2',
     "x = mx.sym.var('data'); y = mx.sym.var('y'); g = mx.sym.Group([x + y, x "
     '* y]).get_children(); r = g.list_outputs() if g is not None else None'),
    ('children_split',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=2, name='s')[1].get_childr"
     'en().list_outputs()'),
    ('list_io',
     "with mx.name.NameManager():\n  x = mx.sym.var('data')\n  fc = mx.sym.Fully"
     "Connected(x, num_hidden=3, name='fc1')\n  s = mx.sym.SoftmaxOutput(fc, na"
     "me='softmax')\n  r = [s.list_arguments(), s.list_outputs(), s.list_auxili"
     'ary_states(), s.list_inputs()]'),
    ('list_dup',
     "x = mx.sym.var('x'); y = mx.sym.var('x'); r = [(x+y).list_arguments(), ("
     'x+x).list_arguments()]'),
    ('list_makeloss',
     "x = mx.sym.var('x'); r = [mx.sym.make_loss(x, name='l').list_outputs(), "
     "mx.sym.MakeLoss(x, name='m').list_outputs(), mx.sym.BlockGrad(x, name='b"
     "').list_outputs()]"),
    ('list_outputs_var',
     "r = mx.sym.var('x').list_outputs()"),
    ('attr_calls',
     "x = mx.sym.var('x', lr_mult=2)\nfc = mx.sym.FullyConnected(x, num_hidden="
     "3, name='fc', lr_mult=3, wd_mult=0, ctx_group='g', __foo__='bar')\nr = [f"
     "c.attr('lr_mult'), fc.attr('__lr_mult__'), fc.attr('num_hidden'), fc.att"
     "r('name'), fc.attr('foo'), fc.attr('__foo__'), fc.attr('nope'), x.attr('"
     "lr_mult'), sorted(fc.list_attr().items()), sorted(fc.attr_dict().items()"
     ')]'),
    ('attr_group',
     "x = mx.sym.var('x', lr_mult=2); r = [mx.sym.Group([x, x]).attr('lr_mult'"
     '), mx.sym.Group([x, x]).list_attr()]'),
    ('attr_force',
     "x = mx.sym.var('x'); fc = mx.sym.FullyConnected(x, num_hidden=3, name='f"
     "c', force_mirroring='True', mirror_stage='1'); r = sorted(fc.list_attr()"
     '.items())'),
    ('attr_profiler',
     "x = mx.sym.var('x'); fc = mx.sym.FullyConnected(x, num_hidden=3, name='f"
     "c', profiler_scope='s:'); r = sorted(fc.list_attr().items())"),
    ('attr_lrmult_prefix',
     "x = mx.sym.var('x'); fc = mx.sym.FullyConnected(x, num_hidden=3, name='f"
     "c', lr_mult_x='2'); r = sorted(fc.list_attr().items())"),
    ('attr_deprecated_suffix',
     "x = mx.sym.var('x'); fc = mx.sym.FullyConnected(x, num_hidden=3, name='f"
     "c', weight_lr_mult='2'); r = sorted(fc.list_attr().items())"),
    ('attr_unknown',
     "x = mx.sym.var('x'); r = mx.sym.FullyConnected(x, num_hidden=3, name='fc"
     "', bogus='2')"),
    ('attrscope_op_unknown',
     "x = mx.sym.var('x')\nwith mx.AttrScope(group='4'):\n  r = mx.sym.FullyConn"
     "ected(x, num_hidden=3, name='fc')"),
    ('attrscope_op_hidden',
     "x = mx.sym.var('x')\nwith mx.AttrScope(ctx_group='4', lr_mult='2', __a__="
     "'b'):\n  fc = mx.sym.FullyConnected(x, num_hidden=3, name='fc')\nr = [sort"
     'ed(fc.list_attr().items()), sorted(fc.attr_dict().items())]'),
    ('attrscope_op_attr_arg',
     "x = mx.sym.var('x')\nwith mx.AttrScope(ctx_group='4'):\n  fc = mx.sym.Full"
     "yConnected(x, num_hidden=3, name='fc', attr={'ctx_group': '5', '__x__': "
     "'y'})\nr = sorted(fc.list_attr().items())"),
    ('attrscope_nested',
     "with mx.AttrScope(a__='1', __b__='1'):\n  with mx.AttrScope(__b__='2', __"
     "c__='3'):\n    v = mx.sym.var('v')\n  w = mx.sym.var('w')\nr = [sorted(v.li"
     "st_attr().items()), sorted(w.list_attr().items()), sorted(mx.sym.var('z'"
     ').list_attr().items())]'),
    ('attrscope_nonstr',
     'r = mx.AttrScope(a=1)'),
    ('namemgr_nested',
     "x = mx.sym.var('x')\nwith mx.name.NameManager():\n  a = mx.sym.exp(x)\n  wi"
     'th mx.name.NameManager():\n    b = mx.sym.exp(x)\n  c = mx.sym.exp(x)\nr = '
     '[a.name, b.name, c.name]'),
    ('prefix_counter',
     "x = mx.sym.var('x')\nwith mx.name.NameManager():\n  a = mx.sym.exp(x)\n  wi"
     "th mx.name.Prefix('p_'):\n    b = mx.sym.exp(x)\n    c = mx.sym.exp(x, nam"
     "e='named')\n  d = mx.sym.exp(x)\nr = [a.name, b.name, c.name, d.name, c.li"
     'st_arguments()]'),
    ('prefix_fc',
     "x = mx.sym.var('data')\nwith mx.name.Prefix('mynet_'):\n  net = mx.sym.Ful"
     "lyConnected(x, num_hidden=10, name='fc1')\nr = net.list_arguments()"),
    ('set_attr',
     "x = mx.sym.var('x'); x._set_attr(foo='bar', lr_mult='2'); r = sorted(x.l"
     'ist_attr().items())'),
    ('set_attr_nonstr',
     "x = mx.sym.var('x'); x._set_attr(foo=1)"),
    ('list_attr_recursive',
     "x = mx.sym.var('x'); r = x.list_attr(recursive=True)"),
    ('attr_dict_group',
     "x = mx.sym.var('x', lr_mult=2); y = mx.sym.var('y'); r = sorted(mx.sym.G"
     'roup([x, y, x+y]).attr_dict().items())'),
    ('infer_kw',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape(data=(4, 5))"),
    ('infer_kw_list',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape(data=[4, 5])"),
    ('infer_pos_list',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape([4, 5])"),
    ('infer_both',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape((4, 5), fc_weight=(3, 5))"),
    ('infer_kw_unknown_name',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape(data=(4,5), nope=(1,))"),
    ('infer_too_many_pos',
     "x = mx.sym.var('data'); r = x.infer_shape((1,), (2,))"),
    ('infer_nothing',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape()"),
    ('infer_partial_nothing',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_shape_partial()"),
    ('infer_incomplete',
     "x = mx.sym.var('data'); y = mx.sym.var('y'); r = (mx.sym.FullyConnected("
     "x, num_hidden=3, name='fc') + y).infer_shape(y=(4,3))"),
    ('infer_incomplete2',
     "x = mx.sym.var('data'); y = mx.sym.var('y'); r = mx.sym.Group([mx.sym.Fu"
     "llyConnected(x, num_hidden=3, name='fc'), y*2]).infer_shape(data=(4,3))"),
    ('infer_partial',
     "x = mx.sym.var('data'); y = mx.sym.var('y'); r = mx.sym.Group([mx.sym.Fu"
     "llyConnected(x, num_hidden=3, name='fc'), y*2]).infer_shape_partial(data"
     '=(4,3))'),
    ('infer_partial_0',
     "x = mx.sym.var('data'); r = mx.sym.FullyConnected(x, num_hidden=3, name="
     "'fc').infer_shape_partial(data=(0,3))"),
    ('infer_0_dim',
     "x = mx.sym.var('data'); r = mx.sym.FullyConnected(x, num_hidden=3, name="
     "'fc').infer_shape(data=(0,3))"),
    ('infer_inconsistent',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = (x + y).infer_shape(x=(2,3"
     '), y=(3,3))'),
    ('infer_inconsistent_fc',
     "x = mx.sym.var('data'); r = mx.sym.FullyConnected(x, num_hidden=3, name="
     "'fc').infer_shape(data=(4,5), fc_weight=(3,4))"),
    ('infer_inconsistent_bcast',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.broadcast_add(x, y)"
     '.infer_shape(x=(2,3), y=(4,3))'),
    ('infer_bcast',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.broadcast_add(x, y)"
     '.infer_shape(x=(2,3), y=(1,3))'),
    ('infer_nontuple',
     "x = mx.sym.var('x'); r = x.infer_shape(x=5)"),
    ('infer_nontuple_pos',
     "x = mx.sym.var('x'); r = x.infer_shape(5)"),
    ('infer_zeros0',
     "z = mx.sym.zeros((0, 4)) + mx.sym.var('y'); r = z.infer_shape(y=(3,4))"),
    ('infer_zeros0_fc',
     "z = mx.sym.FullyConnected(mx.sym.var('d'), num_hidden=4, name='fc') + mx"
     '.sym.zeros((0, 4)); r = z.infer_shape(d=(3,7))'),
    ('infer_var_shape_attr',
     "x = mx.sym.var('x', shape=(2, 3)); r = (x * 2).infer_shape()"),
    ('infer_var_shape_attr_override',
     "x = mx.sym.var('x', shape=(2, 3)); r = (x * 2).infer_shape(x=(4, 3))"),
    ('infer_var_shape_attr_0',
     "x = mx.sym.var('x', shape=(0, 3)); y = mx.sym.var('y'); r = (x + y).infe"
     'r_shape(y=(5,3))'),
    ('infer_elem_back',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = (x + y).infer_shape(x=(2,3"
     '))'),
    ('infer_mlp',
     "data = mx.sym.var('data')\nfc1 = mx.sym.FullyConnected(data, name='fc1', "
     "num_hidden=64)\na = mx.sym.Activation(fc1, name='relu1', act_type='relu')"
     "\nfc2 = mx.sym.FullyConnected(a, name='fc2', num_hidden=26)\nnet = mx.sym."
     "SoftmaxOutput(fc2, name='softmax')\nr = [net.list_arguments(), net.infer_"
     'shape(data=(32,16))]'),
    ('infer_softmax_label',
     "net = mx.sym.SoftmaxOutput(mx.sym.var('data'), name='softmax'); r = net."
     'infer_shape(data=(4, 3, 5))'),
    ('infer_softmax_label_multi',
     "net = mx.sym.SoftmaxOutput(mx.sym.var('data'), name='softmax', multi_out"
     'put=True); r = net.infer_shape(data=(4, 3, 5, 6))'),
    ('infer_softmax_back',
     "net = mx.sym.SoftmaxOutput(mx.sym.var('data'), name='softmax'); r = net."
     'infer_shape_partial(softmax_label=(4,))'),
    ('infer_reshape',
     "r = mx.sym.reshape(mx.sym.var('x'), shape=(0, -1)).infer_shape(x=(2,3,4)"
     ')'),
    ('infer_concat',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.concat(x, y, dim=1)"
     '.infer_shape(x=(2,3), y=(2,5))'),
    ('infer_concat_bad',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.concat(x, y, dim=1)"
     '.infer_shape(x=(2,3), y=(3,5))'),
    ('infer_dot',
     "r = mx.sym.dot(mx.sym.var('a'), mx.sym.var('b')).infer_shape(a=(2,3), b="
     '(3,4))'),
    ('infer_dot_bad',
     "r = mx.sym.dot(mx.sym.var('a'), mx.sym.var('b')).infer_shape(a=(2,3), b="
     '(2,4))'),
    ('infer_type_basic',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_type(data='float64')"),
    ('infer_type_none',
     "x = mx.sym.var('data'); fc = mx.sym.FullyConnected(x, num_hidden=3, name"
     "='fc'); r = fc.infer_type()"),
    ('infer_type_attr',
     "x = mx.sym.var('data', dtype='float16'); fc = mx.sym.FullyConnected(x, n"
     "um_hidden=3, name='fc'); r = fc.infer_type()"),
    ('infer_type_cast',
     "x = mx.sym.var('data'); r = mx.sym.Cast(x, dtype='int32').infer_type(dat"
     "a='float32')"),
    ('infer_type_conflict',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = (x + y).infer_type(x='floa"
     "t32', y='float64')"),
    ('infer_type_int',
     "x = mx.sym.var('x'); r = (x + 1).infer_type(x='int32')"),
    ('infer_type_softmax',
     "r = mx.sym.SoftmaxOutput(mx.sym.var('data'), name='sm').infer_type(data="
     "'float64')"),
    ('infer_type_unknown_name',
     "r = mx.sym.var('x').infer_type(y='float32')"),
    ('infer_type_partial',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.Group([x*2, y*2]).i"
     "nfer_type(x='float32')"),
    ('infer_type_zeros',
     "r = mx.sym.zeros((2,3), dtype='int64').infer_type()"),
    ('infer_type_one_hot',
     "r = mx.sym.one_hot(mx.sym.var('i'), depth=3).infer_type(i='int32')"),
    ('infer_type_argmax',
     "r = mx.sym.argmax(mx.sym.var('i'), axis=1).infer_type(i='float64')"),
    ('compose_kw',
     "with mx.name.NameManager():\n  x = mx.sym.var('x')\n  net = mx.sym.FullyCo"
     "nnected(x, num_hidden=3, name='fc')\n  d = mx.sym.var('d')\n  n2 = net(x=m"
     'x.sym.exp(d))\n  r = [n2.list_arguments(), net.list_arguments(), n2.name]'),
    ('compose_name',
     "x = mx.sym.var('x'); net = mx.sym.FullyConnected(x, num_hidden=3, name='"
     "fc'); n2 = net(x=mx.sym.var('q'), name='new'); r = [n2.name, n2.list_arg"
     'uments()]'),
    ('compose_mixed',
     "x = mx.sym.var('x'); net = mx.sym.exp(x); r = net(mx.sym.var('a'), x=mx."
     "sym.var('b'))"),
    ('compose_unknown_kw',
     "x = mx.sym.var('x'); net = mx.sym.exp(x, name='e'); r = net(y=mx.sym.var"
     "('b')).list_arguments()"),
    ('compose_nonsym',
     "x = mx.sym.var('x'); net = mx.sym.exp(x, name='e'); r = net(x=1)"),
    ('compose_group_in',
     "x = mx.sym.var('x'); net = mx.sym.exp(x, name='e'); r = net(x=mx.sym.Gro"
     'up([x, x]))'),
    ('op_missing_required',
     "x = mx.sym.var('x'); r = mx.sym.FullyConnected(x)"),
    ('op_bad_value',
     "x = mx.sym.var('x'); r = mx.sym.Activation(x, act_type='bogus')"),
    ('op_bad_int',
     "x = mx.sym.var('x'); r = mx.sym.FullyConnected(x, num_hidden='abc')"),
    ('op_kw_input',
     "x = mx.sym.var('x'); w = mx.sym.var('w'); r = mx.sym.FullyConnected(data"
     "=x, weight=w, num_hidden=2, name='fc').list_arguments()"),
    ('op_kw_bad_input',
     "x = mx.sym.var('x'); w = mx.sym.var('w'); r = mx.sym.FullyConnected(data"
     "=x, wait=w, num_hidden=2, name='fc').list_arguments()"),
    ('op_no_data',
     "r = mx.sym.FullyConnected(num_hidden=2, name='fc').list_arguments()"),
    ('op_group_input',
     "x = mx.sym.var('x'); r = mx.sym.exp(mx.sym.Group([x, x]))"),
    ('op_attr_str',
     "x = mx.sym.var('x'); r = json.loads(mx.sym.Reshape(x, shape=(2, -1), rev"
     "erse=True, name='r').tojson())['nodes'][1]['attrs']"),
    ('op_attr_list',
     "x = mx.sym.var('x'); r = json.loads(mx.sym.Reshape(x, shape=[2, -1], nam"
     "e='r').tojson())['nodes'][1]['attrs']"),
    ('op_attr_np',
     "x = mx.sym.var('x'); r = json.loads(mx.sym.Cast(x, dtype=np.float16, nam"
     "e='c').tojson())['nodes'][1]['attrs']"),
    ('op_attr_sum_axis',
     "x = mx.sym.var('x'); r = [json.loads(mx.sym.sum(x, axis=a, name='s').toj"
     "son())['nodes'][1].get('attrs') for a in (1, (1,2), [0], None, -1)]"),
    ('op_attr_float',
     "x = mx.sym.var('x'); r = json.loads(mx.sym.SoftmaxOutput(x, grad_scale=0"
     ".5, ignore_label=-1, use_ignore=True, name='s').tojson())['nodes'][2]['a"
     "ttrs']"),
    ('concat_kw',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = json.loads(mx.sym.Concat(x"
     ", y, dim=0, name='c').tojson())['nodes'][2]"),
    ('concat_none',
     "r = mx.sym.Concat(name='c').list_arguments()"),
    ('pickle',
     "import pickle\nx = mx.sym.var('x', lr_mult=2); s = mx.sym.FullyConnected("
     "x, num_hidden=3, name='fc'); s2 = pickle.loads(pickle.dumps(s)); r = [s2"
     '.tojson() == s.tojson(), s2.list_arguments()]'),
    ('deepcopy',
     "import copy\nx = mx.sym.var('x'); s = mx.sym.FullyConnected(x, num_hidden"
     "=3, name='fc'); s2 = copy.deepcopy(s); s2._set_attr(foo='1'); r = [s.att"
     "r('foo'), s2.attr('foo')]"),
    ('copy_shallow',
     "import copy\nx = mx.sym.var('x'); s = mx.sym.FullyConnected(x, num_hidden"
     "=3, name='fc'); s2 = copy.copy(s); s2._set_attr(foo='1'); r = [s.attr('f"
     "oo'), s2.attr('foo')]"),
    ('load_json_bad',
     "r = mx.sym.load_json('{not json')"),
    ('load_json_nonstr',
     'r = mx.sym.load_json(1)'),
    ('load_json_nokeys',
     "r = mx.sym.load_json('{}')"),
    ('load_json_noheads',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}], 'arg_nodes': [0]}))"),
    ('load_json_noargnodes',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}], 'heads': [[0,0,0]]})).list_arguments()"),
    ('load_json_unknown_op',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}, {'op': 'NoSuchOp', 'name': 'y', 'inputs': [[0,0,0]]}], 'ar"
     "g_nodes': [0], 'heads': [[1,0,0]]}))"),
    ('load_json_bad_input',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}, {'op': 'exp', 'name': 'y', 'inputs': [[5,0,0]]}], 'arg_nod"
     "es': [0], 'heads': [[1,0,0]]}))"),
    ('load_json_legacy_ok',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "param': {}, 'inputs': []}, {'op': 'null', 'name': 'w', 'inputs': []}, {'"
     "op': 'null', 'name': 'b', 'inputs': []}, {'op': 'FullyConnected', 'name'"
     ": 'fc', 'param': {'num_hidden': '2'}, 'attr': {'lr_mult': '2'}, 'inputs'"
     ": [[0,0], [1,0], [2,0]]}], 'arg_nodes': [0,1,2], 'heads': [[3,0]]})); r "
     '= [r.list_arguments(), sorted(r.list_attr().items()), r.tojson()]'),
    ('load_json_nonint_input',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}, {'op': 'exp', 'name': 'y', 'inputs': [['a',0,0]]}], 'arg_n"
     "odes': [0], 'heads': [[1,0,0]]}))"),
    ('load_json_attr_nonstr',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "attrs': {'__shape__': [2, 3]}, 'inputs': []}], 'arg_nodes': [0], 'heads'"
     ': [[0,0,0]]})).list_attr()'),
    ('load_json_head_oob',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}], 'arg_nodes': [0], 'heads': [[3,0,0]]}))"),
    ('load_json_nodes_notlist',
     "r = mx.sym.load_json(json.dumps({'nodes': 3, 'arg_nodes': [0], 'heads': "
     '[[0,0,0]]}))'),
    ('load_json_node_noname',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'inputs': []}]"
     ", 'arg_nodes': [0], 'heads': [[0,0,0]]}))"),
    ('load_json_node_noop',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'name': 'x', 'inputs': []}],"
     " 'arg_nodes': [0], 'heads': [[0,0,0]]}))"),
    ('load_json_no_inputs_key',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x'}],"
     " 'arg_nodes': [0], 'heads': [[0,0,0]]})).list_arguments()"),
    ('load_missing_file',
     "r = mx.sym.load('/nonexistent/x-symbol.json')"),
    ('load_nonstr',
     'r = mx.sym.load(3)'),
    ('save_nonstr',
     "r = mx.sym.var('x').save(3)"),
    ('tojson_var',
     "r = mx.sym.var('x').tojson()"),
    ('tojson_split',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=3, name='s').tojson()"),
    ('tojson_dropout',
     "r = mx.sym.Dropout(mx.sym.var('x'), name='d', p=0.3).tojson()"),
    ('tojson_escape',
     'r = mx.sym.var(\'x\', attr={\'__s__\': \'a"b\\\\c\\nd\\te/é\'}).tojson()'),
    ('tojson_many_inputs',
     "r = mx.sym.Concat(*[mx.sym.var('x%d' % i) for i in range(11)], name='c')"
     '.tojson()'),
    ('tojson_group_same',
     "x = mx.sym.var('x'); r = mx.sym.Group([x, x, x*2]).tojson()"),
    ('sym_methods',
     "x = mx.sym.var('x'); r = [x.reshape((2, 3)).name is not None, hasattr(x,"
     " 'flatten'), hasattr(x, 'astype'), hasattr(x, 'sum'), hasattr(x, 'exp'),"
     " hasattr(x, 'transpose'), hasattr(x, 'expand_dims'), hasattr(x, 'softmax"
     "'), hasattr(x, 'slice_axis'), hasattr(x, 'split'), hasattr(x, 'dot'), ha"
     "sattr(x, 'clip'), hasattr(x, 'one_hot'), hasattr(x, 'abs'), hasattr(x, '"
     "mean'), hasattr(x, 'max'), hasattr(x, 'argmax'), hasattr(x, 'square'), h"
     "asattr(x, 'sqrt')]"),
    ('sym_method_sum',
     "with mx.name.NameManager():\n  x = mx.sym.var('x'); r = json.loads(x.sum("
     "axis=1).tojson())['nodes'][1]"),
    ('sym_method_astype',
     "with mx.name.NameManager():\n  x = mx.sym.var('x'); r = json.loads(x.asty"
     "pe('int32').tojson())['nodes'][1]"),
    ('sym_method_exp',
     "with mx.name.NameManager():\n  x = mx.sym.var('x'); r = json.loads(x.exp("
     ").tojson())['nodes'][1]"),
    ('sym_sum_group',
     "r = mx.sym.var('x').list_outputs() + mx.sym.Group([mx.sym.var('a'), mx.s"
     "ym.var('b')]).list_outputs()"),
    ('zeros_sym',
     "r = json.loads(mx.sym.zeros((2,3), name='z').tojson())['nodes']"),
    ('zeros_sym_dtype',
     "r = json.loads(mx.sym.zeros((2,3), dtype='int32', name='z').tojson())['n"
     "odes']"),
    ('ones_sym',
     "r = json.loads(mx.sym.ones(shape=(2,), name='z').tojson())['nodes']"),
    ('full_sym',
     "r = json.loads(mx.sym.full((2,), 3, name='z').tojson())['nodes']"),
    ('arange_sym',
     "r = json.loads(mx.sym.arange(3, name='z').tojson())['nodes']"),
    ('arange_sym2',
     "r = json.loads(mx.sym.arange(1, 5, 2, name='z').tojson())['nodes']"),
    ('zeros_op',
     "r = json.loads(mx.sym._internal._zeros(shape=(2,3), name='z').tojson())["
     "'nodes']"),
    ('sym_name_prop_op',
     "r = mx.sym.exp(mx.sym.var('x'), name='e').name"),
    ('sym_attr_name',
     "r = mx.sym.exp(mx.sym.var('x'), name='e').attr('name')"),
    ('scratch_group',
     "a = mx.sym.var('a', shape=(2, 3), lr_mult=2.0, wd_mult=0.5, dtype='float"
     "16', init=mx.init.Uniform(0.1), __myattr__='x')\nb = mx.sym.var('b')\nh = "
     "3 / (1 - (-((a + b) * 2))) ** 2\ni = a == 1\nwith mx.AttrScope(ctx_group='"
     "dev1', __grp__='4'):\n    fc = mx.sym.FullyConnected(h, num_hidden=3, lr_"
     "mult=3)\nwith mx.name.Prefix('pre_'):\n    fc2 = mx.sym.FullyConnected(fc,"
     " num_hidden=2, name='named')\n    act = mx.sym.Activation(fc2, act_type='"
     "relu')\ngrp = mx.sym.Group([act, i])\nr = [grp.list_outputs(), grp.list_ar"
     'guments(), grp.attr_dict(), fc.list_attr(), a.list_attr(), grp.get_inter'
     'nals().list_outputs(), fc2.get_children().list_outputs(), a.get_children'
     '(), grp.name, len(grp), repr(fc), grp.infer_shape(b=(2, 3)), grp.infer_s'
     "hape_partial(), grp.infer_type(b='float16'), grp.tojson()]"),
    ('load_json_legacy_ok2',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "param': {}, 'inputs': []}, {'op': 'null', 'name': 'w', 'inputs': []}, {'"
     "op': 'null', 'name': 'b', 'inputs': []}, {'op': 'FullyConnected', 'name'"
     ": 'fc', 'param': {'num_hidden': '2'}, 'attr': {'lr_mult': '2', 'ctx_grou"
     "p': 'g'}, 'inputs': [[0, 0], [1, 0], [2, 0]]}], 'arg_nodes': [0, 1, 2], "
     "'heads': [[3, 0]]})); r = [r.list_arguments(), r.list_attr(), r.attr('lr"
     "_mult'), r.tojson()]"),
    ('load_json_version_hidden_kept',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "attrs': {'lr_mult': '2'}, 'inputs': []}], 'arg_nodes': [0], 'heads': [[0"
     ", 0, 0]], 'attrs': {'mxnet_version': ['int', 10901]}})).list_attr()"),
    ('load_json_node_row_ptr_ignored',
     "r = mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'name': 'x', '"
     "inputs': []}, {'op': 'exp', 'name': 'e', 'inputs': [[0, 0, 0]]}], 'arg_n"
     "odes': [], 'node_row_ptr': [0, 5, 9], 'heads': [[1, 0, 0]], 'attrs': {'m"
     "xnet_version': ['int', 10901]}})).tojson()"),
    ('load_json_bool_forms',
     "r = json.loads(mx.sym.load_json(json.dumps({'nodes': [{'op': 'null', 'na"
     "me': 'x', 'inputs': []}, {'op': 'null', 'name': 'w', 'inputs': []}, {'op"
     "': 'FullyConnected', 'name': 'fc', 'attrs': {'num_hidden': '2', 'no_bias"
     "': '1', 'flatten': 'false'}, 'inputs': [[0, 0, 0], [1, 0, 0]]}], 'arg_no"
     "des': [0, 1], 'heads': [[2, 0, 0]], 'attrs': {'mxnet_version': ['int', 1"
     "0901]}})).tojson())['nodes'][2]"),
    ('roundtrip_mlp',
     "data = mx.sym.var('data'); fc1 = mx.sym.FullyConnected(data, name='fc1',"
     " num_hidden=64); a = mx.sym.Activation(fc1, name='relu1', act_type='relu"
     "'); fc2 = mx.sym.FullyConnected(a, name='fc2', num_hidden=26); net = mx."
     "sym.SoftmaxOutput(fc2, name='softmax'); s = net.tojson(); r = [s, mx.sym"
     '.load_json(s).tojson() == s]'),
    ('infer_shape_warning_list',
     "net = mx.sym.Group([mx.sym.var('v%d' % i) * 2 for i in range(12)]); r = "
     'net.infer_shape(v0=(1,))'),
    ('infer_shape_aux_bn_free',
     "x = mx.sym.var('x'); r = mx.sym.Group([x + 1, mx.sym.var('y')]).infer_sh"
     'ape_partial(x=(2,))'),
    ('infer_shape_kw_none_partial',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = (x * y).infer_shape_partia"
     'l(x=(2, 0))'),
    ('reduce_shapes',
     "x = mx.sym.var('x'); r = [mx.sym.sum(x).infer_shape(x=(2, 3))[1], mx.sym"
     '.sum(x, axis=1, keepdims=True).infer_shape(x=(2, 3))[1], mx.sym.mean(x, '
     'axis=(0, 1), exclude=True).infer_shape(x=(2, 3, 4))[1], mx.sym.argmax(x,'
     ' axis=1).infer_shape(x=(2, 3))[1]]'),
    ('softmax_label_shapes',
     "x = mx.sym.var('data'); r = [mx.sym.SoftmaxOutput(x, name='s').infer_sha"
     "pe(data=(4, 5))[0], mx.sym.SoftmaxOutput(x, name='s', preserve_shape=Tru"
     'e).infer_shape(data=(4, 5, 6))[0], mx.sym.LinearRegressionOutput(x, name'
     "='l').infer_shape(data=(4, 1))[0], mx.sym.LinearRegressionOutput(x, name"
     "='l').infer_shape(data=(4, 3))[0]]"),
    ('split_squeeze_shapes',
     "r = mx.sym.split(mx.sym.var('x'), num_outputs=3, axis=1, squeeze_axis=Tr"
     'ue).infer_shape(x=(2, 3, 4))'),
    ('fluent_names',
     "x = mx.sym.var('x'); r = [json.loads(s.tojson())['nodes'][-1] for s in ("
     "x.sum(axis=1), x.exp(), x.astype('int32'), x.reshape((2, 3)), x.transpos"
     'e(), x.expand_dims(axis=0), x.flatten(), x.clip(0, 1), x.one_hot(3), x.s'
     'oftmax(), x.argmax(axis=1), x.square(), x.split(num_outputs=2))]'),
    ('positional_params',
     "x = mx.sym.var('x'); r = [json.loads(s.tojson())['nodes'][-1] for s in ("
     'mx.sym.clip(x, 0, 1), mx.sym.one_hot(x, 3), mx.sym.sum(x, 1), mx.sym.Dro'
     'pout(x, 0.3), mx.sym.transpose(x, (1, 0)), mx.sym.reshape(x, (2, -1)))]'),
    ('hidden_key_prefix_rule',
     "x = mx.sym.var('x'); fc = mx.sym.FullyConnected(x, num_hidden=3, name='f"
     "c', lr_mult_x='2', ctx_group='g'); r = [fc.list_attr(), fc.attr('ctx_gro"
     "up'), fc.attr('lr_mult_x')]"),
    ('set_attr_group',
     "x = mx.sym.var('x'); mx.sym.Group([x, mx.sym.var('y')])._set_attr(a='1')"),
    ('set_attr_deprecated',
     "x = mx.sym.var('x'); x._set_attr(weight_lr_mult='1')"),
    ('set_attr_name',
     "x = mx.sym.exp(mx.sym.var('x'), name='e'); x._set_attr(name='f'); r = [x"
     '.name, x.list_outputs()]'),
    ('set_attr_op_hidden',
     "x = mx.sym.exp(mx.sym.var('x'), name='e'); x._set_attr(__foo__='1', lr_m"
     "ult='2'); r = x.list_attr()"),
    ('list_attr_group_first_node',
     "x = mx.sym.var('x', lr_mult=2); r = mx.sym.Group([x, mx.sym.var('y')]).l"
     'ist_attr()'),
    ('attr_op_name',
     "r = [mx.sym.exp(mx.sym.var('x'), name='e').attr('op_name'), mx.sym.var('"
     "x').attr('op_name')]"),
    ('zero_dim_fc_batch',
     "z = mx.sym.FullyConnected(mx.sym.var('d'), num_hidden=4, name='fc') + mx"
     '.sym.zeros((0, 4)); r = z.infer_shape_partial(d=(0, 7))'),
    ('elemwise_partial_unify',
     "r = (mx.sym.var('a') + mx.sym.var('b')).infer_shape_partial(a=(2, 0), b="
     '(0, 3))'),
    ('concat_partial_dim1',
     "r = mx.sym.concat(mx.sym.var('a'), mx.sym.var('b'), dim=1).infer_shape_p"
     'artial(a=(2, 3), b=(0, 4))'),
    ('broadcast_diff_ndim',
     "r = mx.sym.broadcast_add(mx.sym.var('a'), mx.sym.var('b')).infer_shape(a"
     '=(2, 3), b=(3,))'),
    ('infer_type_fc_f16',
     "r = mx.sym.FullyConnected(mx.sym.var('a'), num_hidden=3).infer_type(a='f"
     "loat16')"),
    ('infer_type_dot_conflict',
     "r = mx.sym.dot(mx.sym.var('a'), mx.sym.var('b')).infer_type(a='float32',"
     " b='float64')"),
    ('infer_type_concat_conflict',
     "r = mx.sym.Concat(mx.sym.var('a'), mx.sym.var('b')).infer_type(a='float3"
     "2', b='float16')"),
    ('infer_type_where',
     "r = mx.sym.where(mx.sym.var('c'), mx.sym.var('x'), mx.sym.var('y')).infe"
     "r_type(c='int32', x='float32')"),
    ('infer_type_partial_api',
     "x = mx.sym.var('x'); y = mx.sym.var('y'); r = mx.sym.Group([x * 2, y * 2"
     "]).infer_type_partial(x='float64')"),
    ('variable_init_bn_attrs',
     "x = mx.sym.var('x'); r = [sorted(v.items()) for k, v in sorted(mx.sym.Ba"
     "tchNorm(x, name='bn').attr_dict().items())]"),
]
